/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Multi-process room tests: a real room server on loopback and separate
 * room-peer processes, each a real pipeline with the room elements that
 * exits 0 only after decoding what it expects. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testserver.h"

typedef struct
{
  GSubprocess *proc;
  gchar *name;
  gchar *output;
  gint status;
  gboolean done;
} PeerProc;

static WrTestServer *server;
static gchar *server_url;

static gchar *
room_peer_path (void)
{
  return g_build_filename (g_getenv ("WEBRTC_ROOM_BUILD_ROOT"), "tests",
      "elements", "room-peer", NULL);
}

static PeerProc *
peer_start (const gchar * name, const gchar * room, ...)
{
  PeerProc *p = g_new0 (PeerProc, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const gchar *arg;
  va_list args;

  g_ptr_array_add (argv, room_peer_path ());
  g_ptr_array_add (argv, g_strdup_printf ("--url=%s", server_url));
  g_ptr_array_add (argv, g_strdup_printf ("--room=%s", room));
  g_ptr_array_add (argv, g_strdup_printf ("--name=%s", name));
  /* room-peer's own default is 20 s: at load average 50 three fresh
   * processes had not started their connectivity checks by then. A test's
   * own --timeout (later on the command line) overrides this one. */
  g_ptr_array_add (argv, g_strdup ("--timeout=60"));
  va_start (args, room);
  while ((arg = va_arg (args, const gchar *)))
      g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  p->name = g_strdup (name);
  p->proc = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  return p;
}

static void
on_communicated (GObject * source, GAsyncResult * res, gpointer data)
{
  PeerProc *p = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), res, &out, NULL,
      &error);
  if (out)
    p->output = g_strndup (g_bytes_get_data (out, NULL),
        g_bytes_get_size (out));
  /* a process killed by a signal reports 128 + the signal, like a shell */
  if (g_subprocess_get_if_exited (p->proc))
    p->status = g_subprocess_get_exit_status (p->proc);
  else if (g_subprocess_get_if_signaled (p->proc))
    p->status = 128 + g_subprocess_get_term_sig (p->proc);
  else
    p->status = -1;
  p->done = TRUE;
}

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A process still running at the deadline may be stuck: its threads' stacks
 * go to the test log when gdb is installed. */
static void
dump_stacks (PeerProc * p)
{
  g_autofree gchar *gdb = g_find_program_in_path ("gdb");
  g_autofree gchar *pid = NULL;
  g_autofree gchar *out = NULL;
  const gchar *id = g_subprocess_get_identifier (p->proc);

  if (!gdb || !id)
    return;
  pid = g_strdup (id);
  {
    const gchar *argv[] = { gdb, "-batch", "-nx", "-p", pid,
      "-ex", "thread apply all bt", NULL
    };
    g_autoptr (GSubprocess) dbg = g_subprocess_newv (argv,
        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, NULL);

    if (dbg && g_subprocess_communicate_utf8 (dbg, NULL, NULL, &out, NULL,
            NULL))
      g_test_message ("--- %s still running: stacks ---\n%s", p->name, out);
  }
}

/* Waits (bounded) for every process in the NULL-terminated list. */
static void
peers_wait (guint timeout_s, PeerProc * first, ...)
{
  GPtrArray *all = g_ptr_array_new ();
  gboolean expired = FALSE;
  guint timer, i;
  PeerProc *p;
  va_list args;

  va_start (args, first);
  for (p = first; p; p = va_arg (args, PeerProc *))
    g_ptr_array_add (all, p);
  va_end (args);

  for (i = 0; i < all->len; i++) {
    p = all->pdata[i];
    g_subprocess_communicate_async (p->proc, NULL, NULL, on_communicated, p);
  }
  timer = g_timeout_add_seconds (timeout_s, on_deadline, &expired);
  for (;;) {
    gboolean all_done = TRUE;
    for (i = 0; i < all->len; i++)
      all_done &= ((PeerProc *) all->pdata[i])->done;
    if (all_done || expired)
      break;
    g_main_context_iteration (NULL, TRUE);
  }
  if (!expired)
    g_source_remove (timer);
  for (i = 0; i < all->len; i++) {
    p = all->pdata[i];
    if (!p->done) {
      dump_stacks (p);
      g_subprocess_force_exit (p->proc);
      while (!p->done)
        g_main_context_iteration (NULL, TRUE);
    }
    g_test_message ("--- %s (exit %d) ---\n%s", p->name, p->status,
        p->output ? p->output : "");
  }
  g_ptr_array_free (all, TRUE);
}

static void
peer_free (PeerProc * p)
{
  g_object_unref (p->proc);
  g_free (p->name);
  g_free (p->output);
  g_free (p);
}

/* Lets wall-clock time pass (the publisher's key frame interval) while
 * the main context keeps running. */
static void
let_time_pass (guint seconds)
{
  gboolean expired = FALSE;

  g_timeout_add_seconds (seconds, on_deadline, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

static void
peer_stop (PeerProc * p)
{
  g_subprocess_send_signal (p->proc, SIGTERM);
  peers_wait (15, p, NULL);
}

static gint64
first_frame_ms (PeerProc * p)
{
  const gchar *line = p->output ? strstr (p->output, "first-frame-ms=") : NULL;

  return line ? g_ascii_strtoll (line + strlen ("first-frame-ms="), NULL,
      10) : -1;
}

/* Two sendrecv peers: audio, video and chat text both ways. Each stays 10 s
 * after it is done, so a peer that was slower to start (its encoder and
 * DTLS key on a busy machine) still gets its frames before the other
 * leaves (with 1 s, bob once had its first frames 0.8 s before alice left). */
static void
test_two_peers (void)
{
  PeerProc *a = peer_start ("alice", "two", "--send-text=hello-from-alice",
      "--expect-text", "--stay=10", NULL);
  PeerProc *b = peer_start ("bob", "two", "--send-text=hello-from-bob",
      "--expect-text", "--stay=10", NULL);

  peers_wait (90, a, b, NULL);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_nonnull (strstr (a->output, "hello-from-bob"));
  /* get-stats: one entry per peer, with its audio and video inbound-rtp */
  g_assert_nonnull (strstr (a->output, "inbound-rtp=2"));
  g_assert_nonnull (strstr (b->output, "inbound-rtp=2"));
  g_assert_nonnull (strstr (b->output, "hello-from-alice"));
  peer_free (a);
  peer_free (b);
}

/* Three processes, each decodes audio and video from both others. Each
 * stays 20 s after it is done: on a loaded machine c connected 17 s after
 * a and b, and a left (then with a 2 s stay) before c had its frames. */
static void
test_three_peers (void)
{
  PeerProc *a = peer_start ("a", "three", "--expect-peers=2", "--stay=20",
      NULL);
  PeerProc *b = peer_start ("b", "three", "--expect-peers=2", "--stay=20",
      NULL);
  PeerProc *c = peer_start ("c", "three", "--expect-peers=2", "--stay=20",
      NULL);

  peers_wait (120, a, b, c, NULL);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_cmpint (c->status, ==, 0);
  peer_free (a);
  peer_free (b);
  peer_free (c);
}

/* A viewer joining a running publisher sees video: the key frame is forced
 * when it connects. How fast is a benchmark (tests/bench/elements-ttff*.sh:
 * a few hundred ms on a quiet machine, seconds on a loaded one, where each
 * new process's DTLS key alone took 1.3-4 s); the bound here only tells a
 * video that came from one that hung. */
static void
test_late_joiner (void)
{
  PeerProc *pub = peer_start ("publisher", "late", "--mode=sink",
      "--no-audio", "--timeout=90", "--stay=90", NULL);
  PeerProc *viewer;
  gint64 ms;

  /* the publisher runs alone for a while: its key frame interval passes */
  let_time_pass (3);
  viewer = peer_start ("viewer", "late", "--mode=src", "--no-audio",
      "--min-frames=1", "--timeout=60", NULL);
  peers_wait (90, viewer, NULL);
  g_assert_cmpint (viewer->status, ==, 0);
  ms = first_frame_ms (viewer);
  g_test_message ("late joiner: first decoded frame %" G_GINT64_FORMAT
      " ms after joining the room (ICE, DTLS, key frame included)", ms);
  g_assert_cmpint (ms, >, 0);
  g_assert_cmpint (ms, <, 15000);
  peer_stop (pub);
  peer_free (pub);
  peer_free (viewer);
}

/* Reverse flow (seed's closing note): a viewer joining with offers=false is
 * offered to by the peer already in the room. */
static void
test_reverse_flow (void)
{
  PeerProc *pub = peer_start ("publisher", "reverse", "--mode=bin",
      "--stay=60", "--timeout=60", "--min-frames=0", "--expect-peers=0",
      NULL);
  PeerProc *viewer;

  let_time_pass (1);
  viewer = peer_start ("viewer", "reverse", "--mode=src", "--no-offers",
      "--timeout=60", NULL);
  peers_wait (90, viewer, NULL);
  peer_stop (pub);
  g_assert_cmpint (viewer->status, ==, 0);
  g_assert_nonnull (strstr (pub->output, "webrtcroom-peer-connected"));
  peer_free (pub);
  peer_free (viewer);
}

/* H264 from an upstream encoder is sent as it is: no encoder inside. */
static void
test_pre_encoded (void)
{
  PeerProc *pub = peer_start ("publisher", "encoded", "--mode=sink",
      "--encoded", "--no-audio", "--stay=60", "--timeout=60",
      "--expect-peers=0", NULL);
  PeerProc *viewer = peer_start ("viewer", "encoded", "--mode=src",
      "--no-audio", "--timeout=60", NULL);

  peers_wait (90, viewer, NULL);
  peer_stop (pub);
  g_assert_cmpint (viewer->status, ==, 0);
  g_assert_cmpint (pub->status, ==, 0);
  g_assert_nonnull (strstr (pub->output, "ENCODERS 0"));
  peer_free (pub);
  peer_free (viewer);
}

/* H264 encoded inside the element, both ways. */
static void
test_h264 (void)
{
  PeerProc *a = peer_start ("a", "h264", "--codec=H264", "--no-audio",
      "--stay=10", NULL);
  PeerProc *b = peer_start ("b", "h264", "--codec=H264", "--no-audio",
      "--stay=10", NULL);

  peers_wait (90, a, b, NULL);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  peer_free (a);
  peer_free (b);
}

/* A track added while PLAYING reaches the peers through renegotiation
 * (offered by the publisher after the initial negotiation). */
static void
test_add_track (void)
{
  PeerProc *pub = peer_start ("publisher", "addtrack", "--mode=sink",
      "--add-audio-after=1000", "--expect-peers=0", "--stay=60",
      "--timeout=60", NULL);
  PeerProc *viewer = peer_start ("viewer", "addtrack", "--mode=src",
      "--timeout=60", NULL);

  peers_wait (90, viewer, NULL);
  peer_stop (pub);
  g_assert_cmpint (viewer->status, ==, 0);
  g_assert_nonnull (strstr (pub->output, "ADDED audio"));
  g_assert_nonnull (strstr (viewer->output, "FRAME audio"));
  peer_free (pub);
  peer_free (viewer);
}

/* The at-us value of the first "@tag...at-us=" line of @p, or -1. */
static gint64
event_us (PeerProc * p, const gchar * tag)
{
  const gchar *line = p->output ? strstr (p->output, tag) : NULL;
  const gchar *at = line ? strstr (line, "at-us=") : NULL;

  return at ? g_ascii_strtoll (at + strlen ("at-us="), NULL, 10) : -1;
}

typedef struct
{
  gint video, audio;
  gint64 at_us;
} FrameReport;

/* The --report-frames lines of @p, in order. */
static GArray *
frame_reports (PeerProc * p)
{
  GArray *reports = g_array_new (FALSE, FALSE, sizeof (FrameReport));
  const gchar *line = p->output;

  while (line && (line = strstr (line, "FRAMES video="))) {
    FrameReport r = { 0, };
    if (sscanf (line, "FRAMES video=%d audio=%d at-us=%" G_GINT64_FORMAT,
            &r.video, &r.audio, &r.at_us) == 3)
      g_array_append_val (reports, r);
    line++;
  }
  return reports;
}

/* The last report at or before @us (the first one if none). */
static FrameReport
report_at (GArray * reports, gint64 us)
{
  FrameReport r = g_array_index (reports, FrameReport, 0);
  guint i;

  for (i = 0; i < reports->len; i++) {
    if (g_array_index (reports, FrameReport, i).at_us <= us)
      r = g_array_index (reports, FrameReport, i);
  }
  return r;
}

/* A track released while PLAYING (gst_element_release_request_pad, its
 * source removed first): the element renegotiates; the remote peer's audio
 * pad for it goes away or its audio stops, video keeps flowing, no error
 * on either side. @publisher_offered: the publisher joined last, so made
 * the first offer and re-offers itself; otherwise it asks the viewer to. */
static void
check_remove_track (const gchar * room, gboolean publisher_offered)
{
  PeerProc *pub = NULL, *viewer = NULL;
  g_autoptr (GArray) reports = NULL;
  FrameReport before, after, end;
  gint64 removed_us, audio_pad_us, video_pad_us;
  const gchar *remote;

  /* the publisher removes its audio 1.5 s after connecting, the viewer
   * stays 7 s after its first frame: seconds of video after the removal
   * whatever the frame rate (sanitizer builds are slow) */
  if (!publisher_offered)
    pub = peer_start ("publisher", room, "--mode=sink",
        "--remove-audio-after=1500", "--expect-peers=0", "--stay=60",
        "--timeout=60", NULL);
  else
    viewer = peer_start ("viewer", room, "--mode=src", "--no-audio",
        "--min-frames=1", "--stay=7", "--report-frames", "--timeout=60", NULL);
  let_time_pass (1);
  if (!publisher_offered)
    viewer = peer_start ("viewer", room, "--mode=src", "--no-audio",
        "--min-frames=1", "--stay=7", "--report-frames", "--timeout=60", NULL);
  else
    pub = peer_start ("publisher", room, "--mode=sink",
        "--remove-audio-after=1500", "--expect-peers=0", "--stay=60",
        "--timeout=60", NULL);

  peers_wait (90, viewer, NULL);
  peer_stop (pub);
  g_assert_cmpint (viewer->status, ==, 0);
  g_assert_cmpint (pub->status, ==, 0);
  g_assert_null (strstr (pub->output, "ERROR"));
  g_assert_null (strstr (viewer->output, "ERROR"));
  removed_us = event_us (pub, "REMOVED audio");
  g_assert_cmpint (removed_us, >, 0);

  reports = frame_reports (viewer);
  g_assert_cmpuint (reports->len, >, 0);
  before = report_at (reports, removed_us);
  after = report_at (reports, removed_us + G_USEC_PER_SEC);
  end = g_array_index (reports, FrameReport, reports->len - 1);
  /* pads removed during the call, not by the viewer's own shutdown */
  audio_pad_us = event_us (viewer, "PAD-REMOVED audio_");
  video_pad_us = event_us (viewer, "PAD-REMOVED video_");
  g_test_message ("%s: at removal video %d audio %d; +1 s video %d audio %d; "
      "end (+%" G_GINT64_FORMAT " ms) video %d audio %d; audio pad %s", room,
      before.video, before.audio, after.video, after.audio,
      (end.at_us - removed_us) / 1000, end.video, end.audio,
      audio_pad_us > 0 && audio_pad_us <= end.at_us ? "removed" : "kept");
  /* audio was flowing, then stopped (its pad may go too) */
  g_assert_cmpint (before.audio, >, 0);
  g_assert_cmpint (end.audio, ==, after.audio);
  /* video kept flowing: frames counted well after the removal */
  g_assert_cmpint (end.at_us - removed_us, >, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (end.video - before.video, >=, 30);
  g_assert_true (video_pad_us < 0 || video_pad_us > end.at_us);
  /* and it was renegotiated: the publisher no longer sends audio */
  remote = strstr (viewer->output, "REMOTE-SDP ");
  g_assert_nonnull (remote);
  g_assert_nonnull (strstr (remote, " video=send"));
  g_assert_true (strstr (remote, " audio=inactive")
      || strstr (remote, " audio=recvonly"));
  peer_free (pub);
  peer_free (viewer);
}

static void
test_remove_track (void)
{
  check_remove_track ("removetrack", FALSE);
}

static void
test_remove_track_offerer (void)
{
  check_remove_track ("removetrack2", TRUE);
}

/* TRUE when the video pad of the peer @p saw leave first was removed
 * before @p stopped (SENT is printed when its main loop ends; the pad may
 * go before LEFT is printed) */
static gboolean
left_pads_removed (PeerProc * p)
{
  const gchar *left = strstr (p->output, "\nLEFT ");
  const gchar *sent = strstr (p->output, "\nSENT ");
  g_autofree gchar *peer = NULL;
  g_autofree gchar *removed = NULL;
  const gchar *at;

  if (!left || !sent)
    return FALSE;
  peer = g_strndup (left + strlen ("\nLEFT "), strcspn (left +
          strlen ("\nLEFT "), " \n"));
  removed = g_strdup_printf ("PAD-REMOVED video_%s_", peer);
  at = strstr (p->output, removed);
  return at && at < sent;
}

/* One of three leaves: the others see peer-left and keep running. a and b
 * stay 25 s after they are done, so that c, done 2 s before it leaves, is
 * the one that leaves even when it got its frames much later than they did
 * (on a loaded machine c was done 32 s after its start, after a had left
 * with an 8 s stay). The tracks of c end with EOS in a's and b's async
 * sinks, and their pads go at once: a flush before that EOS made the
 * sinks preroll again, the EOS waited for a PLAYING that never came, and
 * the pads stayed until the end (a gst-launch-1.0 viewer hung on it). */
static void
test_peer_leaves (void)
{
  PeerProc *a = peer_start ("a", "leave", "--expect-peers=2", "--stay=25",
      "--timeout=60", "--async-sinks", NULL);
  PeerProc *b = peer_start ("b", "leave", "--expect-peers=2", "--stay=25",
      "--timeout=60", "--async-sinks", NULL);
  PeerProc *c = peer_start ("c", "leave", "--expect-peers=2", "--stay=2",
      "--timeout=60", NULL);

  peers_wait (100, a, b, c, NULL);
  g_assert_cmpint (c->status, ==, 0);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_nonnull (strstr (a->output, "webrtcroom-peer-left"));
  g_assert_nonnull (strstr (b->output, "webrtcroom-peer-left"));
  g_assert_true (left_pads_removed (a));
  g_assert_true (left_pads_removed (b));
  peer_free (a);
  peer_free (b);
  peer_free (c);
}

/* Our VP8 track cannot go to a peer that offers only VP9 video: that
 * peer's problem, a warning naming both sides' codecs and a
 * webrtcroom-peer-failed message, never an element error; the call goes on
 * (a still receives b's VP9). */
static void
test_codec_not_negotiable (void)
{
  PeerProc *a = peer_start ("a", "codecs", "--codec=VP8", "--no-audio",
      "--timeout=40", "--stay=1", NULL);
  PeerProc *b;

  let_time_pass (1);
  b = peer_start ("b", "codecs", "--codec=VP9", "--no-audio", "--timeout=60",
      "--expect-peers=0", "--min-frames=0", "--stay=60", NULL);
  peers_wait (50, a, NULL);
  peer_stop (b);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_nonnull (strstr (a->output, "WARNING Codec not negotiable"));
  g_assert_nonnull (strstr (a->output, "accepts no VP8 for our video track "
          "(it offers VP9)"));
  g_assert_nonnull (strstr (a->output, "MESSAGE webrtcroom-peer-failed"));
  g_assert_null (strstr (a->output, "\nERROR"));
  g_assert_null (strstr (b->output, "\nERROR"));
  peer_free (a);
  peer_free (b);
}

/* A full room: the element fails with the server's reason. */
static void
test_room_full (void)
{
  const gchar *args[] = { "--max-peers-per-room=1", NULL };
  g_autoptr (GError) error = NULL;
  WrTestServer *small = wr_test_server_start (args, &error);
  g_autofree gchar *url = NULL;
  g_autofree gchar *url_arg = NULL;
  PeerProc *a, *b;

  g_assert_no_error (error);
  url = wr_test_server_get_ws_url (small);
  url_arg = g_strdup_printf ("--url=%s", url);
  a = peer_start ("a", "full", url_arg, "--mode=sink", "--no-audio",
      "--expect-peers=0", "--stay=30", "--timeout=30", NULL);
  let_time_pass (1);
  b = peer_start ("b", "full", url_arg, "--mode=src", "--timeout=20", NULL);
  peers_wait (30, b, NULL);
  peer_stop (a);
  wr_test_server_stop (small);
  g_assert_cmpint (b->status, ==, 3);
  g_assert_nonnull (strstr (b->output, "ERROR Room 'full' is full"));
  peer_free (a);
  peer_free (b);
}

static gint64
max_gap_ms (PeerProc * p)
{
  const gchar *line = strstr (p->output, "MAXGAP ");

  return line ? g_ascii_strtoll (line + strlen ("MAXGAP "), NULL, 10) : -1;
}

static gboolean
left_before_done (PeerProc * p)
{
  const gchar *left = strstr (p->output, "webrtcroom-peer-left");
  const gchar *done = strstr (p->output, "DONE");

  return left && (!done || left < done);
}

/* The room server is killed and restarted (same secret, same port) in the
 * middle of a call: media is peer to peer and keeps flowing, both elements
 * resume their ids, nobody sees peer-left. */
static void
test_server_restart (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-restart-XXXXXX", NULL);
  g_autofree gchar *secret = g_build_filename (dir, "secret", NULL);
  g_autofree gchar *secret_arg = g_strdup_printf ("--secret-file=%s", secret);
  const gchar *args[] = { secret_arg, NULL, NULL };
  g_autofree gchar *port_arg = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *url_arg = NULL;
  g_autoptr (GError) error = NULL;
  WrTestServer *own;
  PeerProc *a, *b;

  own = wr_test_server_start (args, &error);
  g_assert_no_error (error);
  url = wr_test_server_get_ws_url (own);
  url_arg = g_strdup_printf ("--url=%s", url);
  port_arg = g_strdup_printf ("--port=%u", wr_test_server_get_port (own));
  /* ~10 s of video each: the restart happens in the middle; b adds an
   * audio track 11 s into the call, after the restart, so that track is
   * negotiated through the new server. The timeouts allow a machine that
   * decodes a fifth of the 30 fps. */
  a = peer_start ("a", "restart", url_arg, "--no-audio", "--min-frames=300",
      "--stay=15", "--timeout=90", NULL);
  b = peer_start ("b", "restart", url_arg, "--no-audio", "--min-frames=300",
      "--add-audio-after=11000", "--stay=15", "--timeout=90", NULL);
  /* 8 s: the call must be up before the restart (with 4 s and two CPU hogs
   * beside, the server went away during the first negotiation, which then
   * failed); the audio track comes 11 s after connecting, after it */
  let_time_pass (8);
  wr_test_server_kill (own);
  let_time_pass (1);
  args[1] = port_arg;
  own = wr_test_server_start (args, &error);
  g_assert_no_error (error);

  peers_wait (120, a, b, NULL);
  wr_test_server_stop (own);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  g_assert_nonnull (strstr (a->output, "webrtcroom-signalling-lost"));
  g_assert_nonnull (strstr (a->output, "webrtcroom-resumed"));
  g_assert_nonnull (strstr (b->output, "webrtcroom-resumed"));
  /* frames kept arriving throughout: the peer connections were not
   * replaced (that takes the 2 s media timeout and a new negotiation) and
   * no gap is as long as that (~100 ms on a quiet machine; the bound is
   * loose for a loaded one); the other may leave once both are done, not
   * before */
  g_assert_null (strstr (a->output, "webrtcroom-peer-reconnecting"));
  g_assert_null (strstr (b->output, "webrtcroom-peer-reconnecting"));
  g_assert_cmpint (max_gap_ms (a), >=, 0);
  g_assert_cmpint (max_gap_ms (b), >=, 0);
  g_assert_cmpint (max_gap_ms (a), <, 4000);
  g_assert_cmpint (max_gap_ms (b), <, 4000);
  g_assert_false (left_before_done (a));
  g_assert_false (left_before_done (b));
  /* renegotiation after the restart: b's new track reached a */
  g_assert_nonnull (strstr (b->output, "ADDED audio"));
  g_assert_true (strstr (b->output, "ADDED audio") >
      strstr (b->output, "webrtcroom-resumed"));
  g_assert_nonnull (strstr (a->output, "FRAME audio"));
  g_unlink (secret);
  g_rmdir (dir);
  peer_free (a);
  peer_free (b);
}

/* A closed port: a clear element error and a quick exit, not a hang. */
static void
test_unreachable (void)
{
  guint port = wr_test_pick_udp_port ();
  g_autofree gchar *url = g_strdup_printf ("--url=ws://127.0.0.1:%u/ws",
      port);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = room_peer_path ();
  g_autofree gchar *out = NULL;
  const gchar *argv[] = { path, url, "--room=x", "--timeout=20", NULL };
  g_autoptr (GSubprocess) proc = g_subprocess_newv (argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 3);
  g_assert_nonnull (strstr (out, "Could not connect to the room server"));
  /* well before room-peer's own 20 s timeout: the error ended it */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);
}

/* Role mixes: any mix of webrtcroombin, webrtcroomsink and webrtcroomsrc
 * in one room, joining one after the other. Every receiver must get video
 * and audio from every sender, nothing posts an ERROR, and peers with
 * nothing to exchange (two viewers, two publishers) never connect. */

/* A room-peer whose stdout goes to a file, so a test can watch its lines
 * while it runs. */
static PeerProc *
logged_peer_start (const gchar * name, const gchar * room, GPtrArray * args,
    gchar ** log_path)
{
  PeerProc *p = g_new0 (PeerProc, 1);
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  gint fd;
  guint i;

  fd = g_file_open_tmp ("room-peer-XXXXXX.log", log_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_ptr_array_add (argv, room_peer_path ());
  g_ptr_array_add (argv, g_strdup_printf ("--url=%s", server_url));
  g_ptr_array_add (argv, g_strdup_printf ("--room=%s", room));
  g_ptr_array_add (argv, g_strdup_printf ("--name=%s", name));
  for (i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_strdup (args->pdata[i]));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, *log_path);
  p->name = g_strdup (name);
  p->proc = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

static gboolean
log_has (const gchar * path, const gchar * needle)
{
  g_autofree gchar *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL)
      && strstr (text, needle) != NULL;
}

/* Waits (bounded) until @needle shows in the log or the process ended. */
static gboolean
logged_peer_wait_line (PeerProc * p, const gchar * path, const gchar * needle,
    guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline) {
    if (log_has (path, needle))
      return TRUE;
    if (g_subprocess_get_identifier (p->proc) == NULL)
      return FALSE;
    g_usleep (200 * 1000);
  }
  return FALSE;
}

static void
on_waited (GObject * source, GAsyncResult * res, gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* SIGTERM, then waits (bounded: killed after @timeout_s) and reads the
 * log into p->output. */
static void
logged_peer_finish (PeerProc * p, const gchar * path, guint timeout_s)
{
  gboolean waited = FALSE, expired = FALSE;
  guint timer;

  g_subprocess_send_signal (p->proc, SIGTERM);
  g_subprocess_wait_async (p->proc, NULL, on_waited, &waited);
  timer = g_timeout_add_seconds (timeout_s, on_deadline, &expired);
  while (!waited && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!waited) {
    dump_stacks (p);
    g_subprocess_force_exit (p->proc);
    while (!waited)
      g_main_context_iteration (NULL, TRUE);
  } else {
    g_source_remove (timer);
  }
  if (g_subprocess_get_if_exited (p->proc))
    p->status = g_subprocess_get_exit_status (p->proc);
  else if (g_subprocess_get_if_signaled (p->proc))
    p->status = 128 + g_subprocess_get_term_sig (p->proc);
  else
    p->status = -1;
  g_file_get_contents (path, &p->output, NULL, NULL);
  if (!p->output)
    p->output = g_strdup ("");
  g_test_message ("--- %s (exit %d) ---\n%s", p->name, p->status, p->output);
  g_unlink (path);
}

typedef struct
{
  const gchar *modes[5];        /* in join order, NULL-terminated */
  const gchar *codec;
  gboolean newcomers_offer;     /* FALSE: every newcomer joins offers=false */
} RoleMix;

static gboolean
mode_sends (const gchar * mode)
{
  return !g_str_equal (mode, "src");
}

static gboolean
mode_receives (const gchar * mode)
{
  return !g_str_equal (mode, "sink");
}

/* The id a room-peer got from the server ("MESSAGE webrtcroom-joined ID"). */
static gchar *
joined_id (PeerProc * p)
{
  const gchar *key = "MESSAGE webrtcroom-joined ";
  const gchar *at = p->output ? strstr (p->output, key) : NULL;

  return at ? g_strndup (at + strlen (key), 16) : NULL;
}

static gboolean
connected_to (PeerProc * p, const gchar * id)
{
  g_autofree gchar *line =
      g_strdup_printf ("MESSAGE webrtcroom-peer-connected %s", id);

  return p->output && strstr (p->output, line) != NULL;
}

static void
test_role_mix (gconstpointer data)
{
  const RoleMix *mix = data;
  static guint round = 0;
  g_autofree gchar *room = g_strdup_printf ("mix%u", round++);
  PeerProc *procs[4] = { NULL, };
  gchar *logs[4] = { NULL, };
  gboolean is_receiver[4] = { FALSE, };
  guint n, i, j;

  /* one failing mix must not hide the others' results */
  g_test_set_nonfatal_assertions ();
  for (n = 0; n < 4 && mix->modes[n]; n++);
  for (i = 0; i < n; i++) {
    g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
    g_autofree gchar *name = g_strdup_printf ("%s%u", mix->modes[i], i);
    guint senders = 0;

    for (j = 0; j < n; j++) {
      if (j != i && mode_sends (mix->modes[j]))
        senders++;
    }
    is_receiver[i] = mode_receives (mix->modes[i]) && senders > 0;
    g_ptr_array_add (args, g_strdup_printf ("--mode=%s", mix->modes[i]));
    g_ptr_array_add (args, g_strdup_printf ("--codec=%s", mix->codec));
    g_ptr_array_add (args, g_strdup ("--width=160"));
    g_ptr_array_add (args, g_strdup ("--height=120"));
    if (i > 0 && !mix->newcomers_offer)
      g_ptr_array_add (args, g_strdup ("--no-offers"));
    /* a receiver is done once it decoded video and audio from every
     * sender; everyone stays until stopped below */
    g_ptr_array_add (args, g_strdup_printf ("--expect-peers=%u",
            is_receiver[i] ? senders : 0));
    g_ptr_array_add (args, g_strdup_printf ("--min-frames=%d",
            is_receiver[i] ? 5 : 0));
    g_ptr_array_add (args, g_strdup ("--timeout=150"));
    g_ptr_array_add (args, g_strdup ("--stay=150"));
    procs[i] = logged_peer_start (name, room, args, &logs[i]);
    let_time_pass (1);
  }
  /* everyone is in the room (a slow start must not be cut short by the
   * stop below) and the receivers print DONE; then a peer connection that
   * should not exist gets a moment to show up */
  for (i = 0; i < n; i++)
    logged_peer_wait_line (procs[i], logs[i], "MESSAGE webrtcroom-joined", 60);
  for (i = 0; i < n; i++) {
    if (is_receiver[i])
      logged_peer_wait_line (procs[i], logs[i], "DONE ", 90);
  }
  let_time_pass (3);
  for (i = 0; i < n; i++) {
    logged_peer_finish (procs[i], logs[i], 30);
    g_free (logs[i]);
  }

  for (i = 0; i < n; i++) {
    g_test_message ("%s: exit %d", procs[i]->name, procs[i]->status);
    g_assert_cmpint (procs[i]->status, ==, 0);
    g_assert_null (strstr (procs[i]->output, "\nERROR"));
    if (is_receiver[i])
      g_assert_nonnull (strstr (procs[i]->output, "DONE "));
  }
  /* no connection between peers with nothing to exchange */
  for (i = 0; i < n; i++) {
    for (j = 0; j < n; j++) {
      g_autofree gchar *id = joined_id (procs[j]);
      gboolean media = (mode_sends (mix->modes[i])
          && mode_receives (mix->modes[j])) || (mode_sends (mix->modes[j])
          && mode_receives (mix->modes[i]));

      if (i == j || media)
        continue;
      g_assert_nonnull (id);
      g_assert_false (connected_to (procs[i], id));
    }
  }
  for (i = 0; i < n; i++)
    peer_free (procs[i]);
}

static void
add_role_mixes (void)
{
  const gchar *roles[] = { "bin", "sink", "src" };
  const gchar *multi[][5] = {
    {"sink", "sink", "src", NULL},
    {"bin", "sink", "src", NULL},
    {"src", "sink", "bin", "sink", NULL},
    {"sink", "src", "src", NULL},
  };
  guint a, b, offers, m;

  for (a = 0; a < G_N_ELEMENTS (roles); a++) {
    for (b = 0; b < G_N_ELEMENTS (roles); b++) {
      for (offers = 0; offers < 2; offers++) {
        for (m = 0; m < 2; m++) {
          gboolean media = (mode_sends (roles[a]) && mode_receives (roles[b]))
              || (mode_sends (roles[b]) && mode_receives (roles[a]));
          RoleMix *mix;
          gchar *path;

          /* H264 only where media flows, with the newcomer offering */
          if (m == 1 && (!media || !offers))
            continue;
          mix = g_new0 (RoleMix, 1);
          mix->modes[0] = roles[a];
          mix->modes[1] = roles[b];
          mix->codec = m ? "H264" : "VP8";
          mix->newcomers_offer = offers;
          path = g_strdup_printf ("/roles/%s-then-%s-%s-%s", roles[a],
              roles[b], offers ? "newcomer-offers" : "first-offers",
              mix->codec);
          g_test_add_data_func_full (path, mix, test_role_mix, g_free);
          g_free (path);
        }
      }
    }
  }
  for (m = 0; m < G_N_ELEMENTS (multi); m++) {
    RoleMix *mix = g_new0 (RoleMix, 1);
    g_autofree gchar *joined = NULL;
    g_autofree gchar *path = NULL;

    memcpy (mix->modes, multi[m], sizeof (mix->modes));
    mix->codec = "VP8";
    mix->newcomers_offer = TRUE;
    joined = g_strjoinv ("+", (gchar **) mix->modes);
    path = g_strdup_printf ("/roles/mix-%s", joined);
    g_test_add_data_func_full (path, mix, test_role_mix, g_free);
  }
}

/* A peer that goes while our connection to the server is lost gets no
 * peer-left to us: here the server restarts and b dies meanwhile, so the
 * new server never knows b. The resumed welcome does not list b and b does
 * not come back within the resume grace (30 s): a must drop b's session
 * (it kept a webrtcbin and its threads for good: 11 of them after an
 * elements-churn run on a loaded machine) and report it gone. */
static void
test_left_while_lost (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-lost-XXXXXX", NULL);
  g_autofree gchar *secret = g_build_filename (dir, "secret", NULL);
  g_autofree gchar *secret_arg = g_strdup_printf ("--secret-file=%s", secret);
  const gchar *args[] = { secret_arg, NULL, NULL };
  g_autofree gchar *port_arg = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *log_a = NULL;
  g_autofree gchar *log_b = NULL;
  g_autoptr (GPtrArray) args_a = g_ptr_array_new ();
  g_autoptr (GPtrArray) args_b = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const gchar *resumed, *left;
  WrTestServer *own;
  PeerProc *a, *b;

  own = wr_test_server_start (args, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("--url=%s", wr_test_server_get_ws_url (own));
  port_arg = g_strdup_printf ("--port=%u", wr_test_server_get_port (own));
  g_ptr_array_add (args_a, url);
  g_ptr_array_add (args_a, "--no-audio");
  g_ptr_array_add (args_a, "--min-frames=30");
  g_ptr_array_add (args_a, "--stay=120");
  g_ptr_array_add (args_a, "--timeout=150");
  g_ptr_array_add (args_b, url);
  g_ptr_array_add (args_b, "--no-audio");
  g_ptr_array_add (args_b, "--min-frames=1000000");
  g_ptr_array_add (args_b, "--timeout=150");
  a = logged_peer_start ("a", "lost", args_a, &log_a);
  b = logged_peer_start ("b", "lost", args_b, &log_b);
  /* the call is up: a got b's frames */
  g_assert_true (logged_peer_wait_line (a, log_a, "DONE ", 90));
  wr_test_server_kill (own);
  /* b goes without a word while nobody can tell a */
  g_subprocess_force_exit (b->proc);
  args[1] = port_arg;
  own = wr_test_server_start (args, &error);
  g_assert_no_error (error);
  g_assert_true (logged_peer_wait_line (a, log_a, "LEFT ", 60));
  logged_peer_finish (a, log_a, 30);
  logged_peer_finish (b, log_b, 30);
  wr_test_server_stop (own);
  g_assert_cmpint (a->status, ==, 0);
  resumed = strstr (a->output, "webrtcroom-resumed");
  left = strstr (a->output, "LEFT ");
  g_assert_nonnull (resumed);
  g_assert_nonnull (left);
  g_assert_true (left > resumed);
  g_unlink (secret);
  g_rmdir (dir);
  peer_free (a);
  peer_free (b);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  server = wr_test_server_start (NULL, &error);
  g_assert_no_error (error);
  server_url = wr_test_server_get_ws_url (server);

  g_test_add_func ("/rooms/two-peers", test_two_peers);
  g_test_add_func ("/rooms/three-peers", test_three_peers);
  g_test_add_func ("/rooms/late-joiner", test_late_joiner);
  g_test_add_func ("/rooms/reverse-flow", test_reverse_flow);
  g_test_add_func ("/rooms/pre-encoded", test_pre_encoded);
  g_test_add_func ("/rooms/h264", test_h264);
  g_test_add_func ("/rooms/peer-leaves", test_peer_leaves);
  g_test_add_func ("/rooms/add-track", test_add_track);
  g_test_add_func ("/rooms/remove-track", test_remove_track);
  g_test_add_func ("/rooms/remove-track-offerer", test_remove_track_offerer);
  g_test_add_func ("/rooms/codec-not-negotiable", test_codec_not_negotiable);
  g_test_add_func ("/rooms/room-full", test_room_full);
  g_test_add_func ("/rooms/server-restart", test_server_restart);
  g_test_add_func ("/rooms/left-while-lost", test_left_while_lost);
  g_test_add_func ("/rooms/unreachable", test_unreachable);
  add_role_mixes ();
  ret = g_test_run ();

  wr_test_server_stop (server);
  g_free (server_url);
  return ret;
}
