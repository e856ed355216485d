/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Element churn (issue 11): a webrtcroombin in this process sends video to a
 * room where up to --peers remote viewers (room-peer --mode src processes)
 * keep joining, receiving --frames frames and leaving, for --duration
 * seconds. Prints this process's RSS and thread count idle (joined, no
 * peer), warm (after a first peer came and left), at the peak, and at the
 * end (every peer gone, --settle seconds later), with the drift against
 * the warm baseline. Run it in a private network namespace
 * (elements-churn.sh does). */

#include <gio/gio.h>
#include <gst/gst.h>
#include <string.h>

#include "testserver.h"

typedef struct
{
  GMutex lock;
  guint joined;
  guint left;
  gchar *error;
} Counters;

static gint webrtcbins_made, webrtcbins_freed;

static void
on_webrtcbin_finalized (gpointer data, GObject * where)
{
  g_atomic_int_inc (&webrtcbins_freed);
}

/* counts webrtcbins made and finalized: a peer connection that outlives
 * its peer keeps threads (libnice's) */
static void
on_element_added (GstBin * pipeline, GstBin * bin, GstElement * element,
    gpointer data)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f && g_str_equal (GST_OBJECT_NAME (f), "webrtcbin")) {
    g_atomic_int_inc (&webrtcbins_made);
    g_object_weak_ref (G_OBJECT (element), on_webrtcbin_finalized, NULL);
  }
}

typedef struct
{
  guint rss_kib;
  guint threads;
} Sample;

static gint peers = 20;
static gint duration_s = 60;
static gint frames = 30;
static gint settle_s = 5;

static Sample
sample (void)
{
  Sample s = { 0, 0 };
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL)) {
    if ((line = strstr (status, "VmRSS:")))
      s.rss_kib = g_ascii_strtoull (line + 6, NULL, 10);
    if ((line = strstr (status, "Threads:")))
      s.threads = g_ascii_strtoull (line + 8, NULL, 10);
  }
  return s;
}

static void
print_sample (const gchar * what, Sample s)
{
  g_print ("%-34s RSS %7.1f MB  threads %4u\n", what, s.rss_kib / 1024.0,
      s.threads);
}

/* "name xN" of this process's threads, to tell what stayed */
static gchar *
thread_names (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  const gchar *tid;

  while (dir && (tid = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
    gchar *comm = NULL;
    if (g_file_get_contents (path, &comm, NULL, NULL)) {
      g_strstrip (comm);
      g_hash_table_insert (names, comm, GUINT_TO_POINTER (GPOINTER_TO_UINT
              (g_hash_table_lookup (names, comm)) + 1));
    }
  }
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (out, "%s%s x%u", out->len ? ", " : "",
        (gchar *) key, GPOINTER_TO_UINT (value));
  return g_string_free (out, FALSE);
}

static GstBusSyncReply
on_message (GstBus * bus, GstMessage * msg, Counters * c)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_mutex_lock (&c->lock);
    if (!c->error)
      c->error = g_strdup (err->message);
    g_mutex_unlock (&c->lock);
  }
  /* a sync handler that drops a message owns it (GstBusSyncHandler) */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

static void
on_peer_joined (GstElement * room, const gchar * id, const gchar * name,
    Counters * c)
{
  g_mutex_lock (&c->lock);
  c->joined++;
  g_mutex_unlock (&c->lock);
}

static void
on_peer_left (GstElement * room, const gchar * id, const gchar * reason,
    Counters * c)
{
  g_mutex_lock (&c->lock);
  c->left++;
  g_mutex_unlock (&c->lock);
}

/* remote tracks (none expected from viewers) go to a fakesink */
static void
on_pad_added (GstElement * room, GstPad * pad, GstElement * pipeline)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sinkpad = NULL;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
}

typedef struct
{
  const gchar *room_peer;
  gchar *url;
  guint running;
  guint started;
  guint ok;
  guint failed;
} Spawner;

static void
on_peer_exit (GObject * source, GAsyncResult * result, gpointer data)
{
  Spawner *sp = data;
  GSubprocess *proc = G_SUBPROCESS (source);

  g_subprocess_wait_finish (proc, result, NULL);
  if (g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc)
      == 0)
    sp->ok++;
  else
    sp->failed++;
  sp->running--;
  g_object_unref (proc);
}

static void
spawn_peer (Spawner * sp)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *name = g_strdup_printf ("viewer%u", sp->started);
  g_autofree gchar *min_frames = g_strdup_printf ("%d", frames);
  GSubprocess *proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, sp->room_peer, "--mode",
      "src", "--url", sp->url, "--room", "churn", "--name", name,
      "--no-decode", "--no-audio", "--min-frames", min_frames, "--expect-peers",
      "1",
      "--timeout", "30", NULL);

  if (!proc)
    g_error ("cannot start %s: %s", sp->room_peer, error->message);
  sp->started++;
  sp->running++;
  g_subprocess_wait_async (proc, NULL, on_peer_exit, sp);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context for @ms, sampling every 250 ms */
static void
run_for (guint ms, Sample * peak, Spawner * sp, gboolean keep_spawning)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, timeout_cb, &done);
  gint64 next = 0;

  while (!done) {
    g_main_context_iteration (NULL, TRUE);
    if (g_get_monotonic_time () >= next) {
      Sample s = sample ();
      if (peak) {
        peak->rss_kib = MAX (peak->rss_kib, s.rss_kib);
        peak->threads = MAX (peak->threads, s.threads);
      }
      next = g_get_monotonic_time () + 250 * 1000;
    }
    while (keep_spawning && sp->running < (guint) peers)
      spawn_peer (sp);
  }
  (void) id;
}

static gboolean
all_gone (Counters * c, Spawner * sp)
{
  gboolean gone;

  g_mutex_lock (&c->lock);
  gone = sp->running == 0 && c->left >= c->joined;
  g_mutex_unlock (&c->lock);
  return gone;
}

static void
wait_all_gone (Counters * c, Spawner * sp, guint max_ms, Sample * peak)
{
  gint64 deadline = g_get_monotonic_time () + max_ms * 1000;

  while (!all_gone (c, sp) && g_get_monotonic_time () < deadline)
    run_for (100, peak, sp, FALSE);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"peers", 0, 0, G_OPTION_ARG_INT, &peers, "concurrent viewers (20)", "N"},
    {"duration", 0, 0, G_OPTION_ARG_INT, &duration_s, "seconds (60)", "S"},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames,
        "frames each viewer receives before leaving (30)", "N"},
    {"settle", 0, 0, G_OPTION_ARG_INT, &settle_s,
        "seconds after the last peer left (5)", "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- element churn");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = NULL;
  WrTestServer *server;
  GstElement *pipeline, *room;
  Counters c = { 0 };
  Spawner sp = { 0 };
  Sample idle, warm, peak = { 0, 0 }, end;
  g_autofree gchar *room_peer = NULL;
  g_autofree gchar *warm_threads = NULL;
  g_autofree gchar *end_threads = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (!g_getenv ("WEBRTC_ROOM_SERVER"))
    g_setenv ("WEBRTC_ROOM_SERVER", WR_BENCH_SERVER, TRUE);
  room_peer = g_strdup (g_getenv ("WEBRTC_ROOM_PEER") ?
      g_getenv ("WEBRTC_ROOM_PEER") : WR_BENCH_ROOM_PEER);
  g_mutex_init (&c.lock);

  {
    const gchar *args[] = { "--rate-limit", "0", NULL };
    server = wr_test_server_start (args, &error);
    g_assert_no_error (error);
  }
  sp.url = wr_test_server_get_ws_url (server);
  sp.room_peer = room_peer;
  desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! webrtcroombin "
      "name=room server-url=%s room=churn display-name=sender "
      "local-addresses=127.0.0.1 ice-tcp=false", sp.url);
  pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  gst_bus_set_sync_handler (GST_ELEMENT_BUS (pipeline),
      (GstBusSyncHandler) on_message, &c, NULL);
  room = gst_bin_get_by_name (GST_BIN (pipeline), "room");
  g_signal_connect (room, "peer-joined", G_CALLBACK (on_peer_joined), &c);
  g_signal_connect (room, "peer-left", G_CALLBACK (on_peer_left), &c);
  g_signal_connect (room, "pad-added", G_CALLBACK (on_pad_added), pipeline);
  g_signal_connect (pipeline, "deep-element-added",
      G_CALLBACK (on_element_added), NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  run_for (3000, NULL, &sp, FALSE);
  idle = sample ();
  /* warm-up: one peer, so one-time allocations (codec state, plugin
   * loading, first DTLS) are in the baseline */
  spawn_peer (&sp);
  wait_all_gone (&c, &sp, 40000, NULL);
  run_for (settle_s * 1000, NULL, &sp, FALSE);
  warm = sample ();
  warm_threads = thread_names ();
  peak = warm;

  g_print ("churn: %d viewers at a time, each leaving after %d frames, "
      "for %d s\n", peers, frames, duration_s);
  run_for (duration_s * 1000, &peak, &sp, TRUE);
  g_print ("spawning stopped: %u viewers started, %u running\n", sp.started,
      sp.running);
  wait_all_gone (&c, &sp, 60000, &peak);
  run_for (settle_s * 1000, NULL, &sp, FALSE);
  end = sample ();
  end_threads = thread_names ();

  print_sample ("idle (joined, no peer)", idle);
  print_sample ("warm (a first peer came and left)", warm);
  print_sample ("peak", peak);
  print_sample ("end (all gone, settled)", end);
  g_print ("viewers: %u started, %u done, %u failed; element saw %u "
      "joined, %u left\n", sp.started, sp.ok, sp.failed, c.joined, c.left);
  g_print ("drift vs warm: RSS %+.1f MB (%+.1f %%), threads %+d\n",
      ((gint) end.rss_kib - (gint) warm.rss_kib) / 1024.0,
      100.0 * ((gint) end.rss_kib - (gint) warm.rss_kib) / warm.rss_kib,
      (gint) end.threads - (gint) warm.threads);
  g_print ("webrtcbins: %d made, %d finalized\n",
      g_atomic_int_get (&webrtcbins_made),
      g_atomic_int_get (&webrtcbins_freed));
  g_print ("threads warm: %s\nthreads end:  %s\n", warm_threads, end_threads);
  if (c.error)
    g_print ("ERROR on the bus: %s\n", c.error);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (room);
  gst_object_unref (pipeline);
  wr_test_server_stop (server);
  g_free (sp.url);
  return c.error ? 1 : 0;
}
