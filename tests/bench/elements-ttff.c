/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* elements-ttff: time to first frame, see README.md ("Elements").
 *
 * Room: a receiver (webrtcroomsrc, in this process, fakesink handoff on its
 * decoded video pads) is in the room and waiting; for each iteration a sender
 * process is started (`room-peer --mode sink --no-audio`, VP8 320x240).
 * Measured at the receiver: from its `peer-joined` signal for the sender to
 * the first decoded video buffer from that sender (also printed: from the
 * sender's spawn, which adds process start and its own join). The sender is
 * then stopped (SIGTERM) and the receiver waits for `peer-left`.
 *
 * Baseline (same run, same process, first): a plain webrtcbin pair with
 * webrtcbin defaults (bundle-policy none, latency 200, default DTLS
 * certificate), in-process signalling, ICE on 127.0.0.1 (add-local-ip-address,
 * upnp off): videotestsrc is-live ! vp8enc deadline=1 ! rtpvp8pay ! webrtcbin
 * -> webrtcbin pad-added -> rtpvp8depay ! vp8dec ! fakesink; from
 * create-offer to the first decoded buffer, fresh webrtcbins every iteration.
 * The first iteration pays the process's DTLS certificate generation.
 *
 * Run inside `unshare -rn` (lo only); tests/bench/elements-ttff.sh does. */

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gint iterations = 10;
static gboolean skip_baseline, skip_room;
static gchar *server_path = WR_BENCH_SERVER;
static gchar *room_peer_path = WR_BENCH_ROOM_PEER;
static gchar *log_dir;

/* ----------------------------------------------------------------------- */

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static void
print_stats (const gchar * label, gdouble * v, gint n)
{
  gdouble *s = g_memdup2 (v, n * sizeof (gdouble));
  gdouble med;

  if (n == 0) {
    printf ("RESULT %s: no successful iteration\n", label);
    return;
  }
  qsort (s, n, sizeof (gdouble), cmp_double);
  med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  printf ("RESULT %s: median %.1f ms, min %.1f, max %.1f (n=%d)\n", label, med,
      s[0], s[n - 1], n);
  g_free (s);
}

/* wait, iterating the default context, until *flag or timeout; bus errors
 * abort the wait */
static gboolean
wait_for (volatile gint * flag, gint timeout_ms, GstElement * pipeline)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  while (!g_atomic_int_get (flag)) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    if (pipeline) {
      GstBus *bus = gst_element_get_bus (pipeline);
      GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      gst_object_unref (bus);
      if (m) {
        GError *err = NULL;
        gst_message_parse_error (m, &err, NULL);
        fprintf (stderr, "error: %s\n", err->message);
        g_error_free (err);
        gst_message_unref (m);
        return FALSE;
      }
    }
    while (g_main_context_iteration (NULL, FALSE));
    g_usleep (500);
  }
  return TRUE;
}

/* ---------------------------- baseline --------------------------------- */

typedef struct
{
  GstElement *pipe, *send, *recv;
  volatile gint got_frame;
  volatile gint failed;
  gint64 t_first;
} Pair;

static void
on_first_buffer (GstElement * sink, GstBuffer * buf, GstPad * pad, Pair * p)
{
  if (!p->t_first) {
    p->t_first = g_get_monotonic_time ();
    g_atomic_int_set (&p->got_frame, 1);
  }
}

static void
on_recv_pad (GstElement * webrtc, GstPad * pad, Pair * p)
{
  GstElement *depay, *dec, *sink;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  depay = gst_element_factory_make ("rtpvp8depay", NULL);
  dec = gst_element_factory_make ("vp8dec", NULL);
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, "async", FALSE,
      NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_first_buffer), p);
  gst_bin_add_many (GST_BIN (p->pipe), depay, dec, sink, NULL);
  gst_element_link_many (depay, dec, sink, NULL);
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (dec);
  gst_element_sync_state_with_parent (depay);
  sinkpad = gst_element_get_static_pad (depay, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static void
on_candidate (GstElement * webrtc, guint mline, gchar * cand, Pair * p)
{
  GstElement *other = webrtc == p->send ? p->recv : p->send;
  g_signal_emit_by_name (other, "add-ice-candidate", mline, cand);
}

static GstWebRTCSessionDescription *
reply_sdp (GstPromise * promise, const gchar * field)
{
  const GstStructure *s;
  GstWebRTCSessionDescription *desc = NULL;

  gst_promise_wait (promise);
  s = gst_promise_get_reply (promise);
  if (s)
    gst_structure_get (s, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc,
        NULL);
  gst_promise_unref (promise);
  return desc;
}

static void
on_answer (GstPromise * promise, Pair * p)
{
  GstWebRTCSessionDescription *answer = reply_sdp (promise, "answer");

  if (!answer) {
    g_atomic_int_set (&p->failed, 1);
    return;
  }
  g_signal_emit_by_name (p->recv, "set-local-description", answer, NULL);
  g_signal_emit_by_name (p->send, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

static void
on_offer (GstPromise * promise, Pair * p)
{
  GstWebRTCSessionDescription *offer = reply_sdp (promise, "offer");

  if (!offer) {
    g_atomic_int_set (&p->failed, 1);
    return;
  }
  g_signal_emit_by_name (p->send, "set-local-description", offer, NULL);
  g_signal_emit_by_name (p->recv, "set-remote-description", offer, NULL);
  gst_webrtc_session_description_free (offer);
  g_signal_emit_by_name (p->recv, "create-answer", NULL,
      gst_promise_new_with_change_func ((GstPromiseChangeFunc) on_answer, p,
          NULL));
}

static void
local_ice (GstElement * webrtc)
{
  GObject *ice = NULL;
  gboolean ok = FALSE;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &ok);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "upnp"))
    g_object_set (ice, "upnp", FALSE, NULL);
  else {
    GObject *agent = NULL;
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent")) {
      g_object_get (ice, "agent", &agent, NULL);
      if (agent)
        g_object_set (agent, "upnp", FALSE, NULL);
      g_clear_object (&agent);
    }
  }
  g_object_unref (ice);
}

static volatile gint caps_seen;

static GstPadProbeReturn
caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS) {
    g_atomic_int_set (&caps_seen, 1);
    return GST_PAD_PROBE_REMOVE;
  }
  return GST_PAD_PROBE_OK;
}

/* returns ms from create-offer to the first decoded frame, < 0 on failure */
static gdouble
baseline_once (void)
{
  Pair p = { 0, };
  GError *err = NULL;
  GstPad *pad;
  gint64 t0;
  gdouble ms = -1;

  p.pipe = gst_parse_launch ("videotestsrc is-live=true pattern=ball ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! webrtcbin name=send "
      "webrtcbin name=recv", &err);
  if (!p.pipe) {
    fprintf (stderr, "baseline: %s\n", err->message);
    return -1;
  }
  p.send = gst_bin_get_by_name (GST_BIN (p.pipe), "send");
  p.recv = gst_bin_get_by_name (GST_BIN (p.pipe), "recv");
  local_ice (p.send);
  local_ice (p.recv);
  g_signal_connect (p.send, "on-ice-candidate", G_CALLBACK (on_candidate), &p);
  g_signal_connect (p.recv, "on-ice-candidate", G_CALLBACK (on_candidate), &p);
  g_signal_connect (p.recv, "pad-added", G_CALLBACK (on_recv_pad), &p);
  pad = gst_element_get_static_pad (p.send, "sink_0");
  g_atomic_int_set (&caps_seen, 0);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, caps_probe,
      NULL, NULL);
  gst_object_unref (pad);

  gst_element_set_state (p.pipe, GST_STATE_PLAYING);
  /* webrtcbin cannot offer before caps reached its sink pad */
  if (!wait_for (&caps_seen, 5000, p.pipe))
    goto out;
  t0 = g_get_monotonic_time ();
  g_signal_emit_by_name (p.send, "create-offer", NULL,
      gst_promise_new_with_change_func ((GstPromiseChangeFunc) on_offer, &p,
          NULL));
  if (wait_for (&p.got_frame, 10000, p.pipe))
    ms = (p.t_first - t0) / 1000.0;
out:
  gst_element_set_state (p.pipe, GST_STATE_NULL);
  gst_object_unref (p.send);
  gst_object_unref (p.recv);
  gst_object_unref (p.pipe);
  return ms;
}

static void
run_baseline (void)
{
  gdouble *v = g_new0 (gdouble, iterations);
  gint n = 0, i;

  for (i = 0; i < iterations; i++) {
    gdouble ms = baseline_once ();
    printf ("baseline webrtcbin pair #%d: %.1f ms%s\n", i + 1, ms,
        i == 0 ? " (pays the DTLS certificate generation)" : "");
    fflush (stdout);
    if (ms >= 0)
      v[n++] = ms;
  }
  if (n > 0)
    printf
        ("RESULT baseline webrtcbin pair (defaults) first iteration: %.1f ms\n",
        v[0]);
  print_stats ("baseline webrtcbin pair (defaults), create-offer -> first "
      "decoded frame, all iterations", v, n);
  if (n > 1)
    print_stats ("baseline webrtcbin pair (defaults), iterations 2..N", v + 1,
        n - 1);
  g_free (v);
}

/* ------------------------------ room ----------------------------------- */

typedef struct
{
  GstElement *pipe, *room;
  GMutex lock;
  gchar *expect_peer;           /* the sender we wait for */
  gint64 t_joined;              /* its peer-joined at the receiver */
  gint64 t_first;
  gint64 t_pad;                 /* its video src pad added */
  volatile gint got_frame;
  volatile gint peer_left;
  volatile gint welcomed;
} Recv;

static void
room_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Recv * r)
{
  const gchar *peer = g_object_get_data (G_OBJECT (sink), "peer");

  g_mutex_lock (&r->lock);
  if (r->expect_peer && g_str_equal (peer, r->expect_peer) && !r->t_first) {
    r->t_first = g_get_monotonic_time ();
    g_atomic_int_set (&r->got_frame, 1);
  }
  g_mutex_unlock (&r->lock);
}

static void
room_pad_added (GstElement * room, GstPad * pad, Recv * r)
{
  gchar *name = gst_pad_get_name (pad);
  gchar **parts = g_strsplit (name, "_", 3);
  GstElement *sink;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) == GST_PAD_SRC && g_str_equal (parts[0], "video")
      && parts[1]) {
    g_mutex_lock (&r->lock);
    if (r->expect_peer && g_str_equal (parts[1], r->expect_peer) && !r->t_pad)
      r->t_pad = g_get_monotonic_time ();
    g_mutex_unlock (&r->lock);
    sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, "async",
        FALSE, NULL);
    g_object_set_data_full (G_OBJECT (sink), "peer", g_strdup (parts[1]),
        g_free);
    g_signal_connect (sink, "handoff", G_CALLBACK (room_handoff), r);
    gst_bin_add (GST_BIN (r->pipe), sink);
    gst_element_sync_state_with_parent (sink);
    sinkpad = gst_element_get_static_pad (sink, "sink");
    gst_pad_link (pad, sinkpad);
    gst_object_unref (sinkpad);
  }
  g_strfreev (parts);
  g_free (name);
}

static void
room_peer_joined (GstElement * room, const gchar * peer, const gchar * name,
    Recv * r)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&r->lock);
  if (name && r->expect_peer == NULL && g_str_has_prefix (name, "ttff-sender")) {
    r->expect_peer = g_strdup (peer);
    r->t_joined = now;
  }
  g_mutex_unlock (&r->lock);
}

static void
room_peer_left (GstElement * room, const gchar * peer, const gchar * reason,
    Recv * r)
{
  g_mutex_lock (&r->lock);
  if (r->expect_peer && g_str_equal (peer, r->expect_peer))
    g_atomic_int_set (&r->peer_left, 1);
  g_mutex_unlock (&r->lock);
}

static GstBusSyncReply
room_bus_sync (GstBus * bus, GstMessage * msg, Recv * r)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
    const GstStructure *s = gst_message_get_structure (msg);
    if (s && gst_structure_has_name (s, "webrtcroom-joined"))
      g_atomic_int_set (&r->welcomed, 1);
  }
  return GST_BUS_PASS;
}

static gchar *
start_server (GSubprocess ** proc, const gchar * out_path)
{
  GSubprocessLauncher *l =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  GError *err = NULL;
  gchar *url = NULL;
  gint i;

  g_subprocess_launcher_set_stdout_file_path (l, out_path);
  *proc = g_subprocess_launcher_spawn (l, &err, server_path, "--host",
      "127.0.0.1", "--port", "0", "--stun-port", "0", NULL);
  g_object_unref (l);
  if (!*proc) {
    fprintf (stderr, "server: %s\n", err->message);
    return NULL;
  }
  for (i = 0; i < 200 && !url; i++) {
    gchar *text = NULL, *p;
    g_usleep (25000);
    if (g_file_get_contents (out_path, &text, NULL, NULL) &&
        (p = strstr (text, "listening on ws://"))) {
      gchar *end;
      p += strlen ("listening on ");
      end = strpbrk (p, " \n");
      if (end)
        url = g_strndup (p, end - p);
    }
    g_free (text);
  }
  return url;
}

static void
run_room (void)
{
  GSubprocess *server = NULL;
  gchar *server_out = g_build_filename (log_dir, "server.out", NULL);
  gchar *url = start_server (&server, server_out);
  gchar *room_name = g_strdup_printf ("ttff-%d", (gint) getpid ());
  gdouble *from_join = g_new0 (gdouble, iterations);
  gdouble *from_spawn = g_new0 (gdouble, iterations);
  gdouble *to_pad = g_new0 (gdouble, iterations);
  Recv r = { 0, };
  gint n = 0, i;

  if (!url) {
    fprintf (stderr, "room: server did not start (%s)\n", server_out);
    exit (1);
  }
  printf ("room: server %s, room %s, sender logs in %s\n", url, room_name,
      log_dir);
  g_mutex_init (&r.lock);
  r.pipe = gst_pipeline_new (NULL);
  r.room = gst_element_factory_make ("webrtcroomsrc", "room");
  if (!r.room) {
    fprintf (stderr, "room: no webrtcroomsrc (GST_PLUGIN_PATH?)\n");
    exit (1);
  }
  g_object_set (r.room, "server-url", url, "room", room_name, "display-name",
      "ttff-receiver", NULL);
  gst_util_set_object_arg (G_OBJECT (r.room), "local-addresses", "127.0.0.1");
  gst_util_set_object_arg (G_OBJECT (r.room), "ice-tcp", "false");
  gst_bin_add (GST_BIN (r.pipe), r.room);
  g_signal_connect (r.room, "pad-added", G_CALLBACK (room_pad_added), &r);
  g_signal_connect (r.room, "peer-joined", G_CALLBACK (room_peer_joined), &r);
  g_signal_connect (r.room, "peer-left", G_CALLBACK (room_peer_left), &r);
  {
    GstBus *bus = gst_element_get_bus (r.pipe);
    gst_bus_set_sync_handler (bus, (GstBusSyncHandler) room_bus_sync, &r, NULL);
    gst_object_unref (bus);
  }
  gst_element_set_state (r.pipe, GST_STATE_PLAYING);
  if (!wait_for (&r.welcomed, 10000, r.pipe)) {
    fprintf (stderr, "room: receiver did not join\n");
    exit (1);
  }
  g_usleep (300000);            /* the receiver is settled in the room */

  for (i = 0; i < iterations; i++) {
    GSubprocessLauncher *l =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
    gchar *out = g_strdup_printf ("%s/sender-%d.out", log_dir, i + 1);
    gchar *name = g_strdup_printf ("ttff-sender-%d", i + 1);
    GError *err = NULL;
    GSubprocess *sender;
    gint64 t_spawn;

    g_mutex_lock (&r.lock);
    g_clear_pointer (&r.expect_peer, g_free);
    r.t_first = r.t_joined = r.t_pad = 0;
    g_atomic_int_set (&r.got_frame, 0);
    g_atomic_int_set (&r.peer_left, 0);
    g_mutex_unlock (&r.lock);

    g_subprocess_launcher_set_stdout_file_path (l, out);
    t_spawn = g_get_monotonic_time ();
    sender = g_subprocess_launcher_spawn (l, &err, room_peer_path, "--url",
        url, "--room", room_name, "--name", name, "--mode", "sink",
        "--no-audio", "--timeout", "60", "--stay", "60", NULL);
    g_object_unref (l);
    if (!sender) {
      fprintf (stderr, "room-peer: %s\n", err->message);
      exit (1);
    }
    if (wait_for (&r.got_frame, 15000, r.pipe)) {
      from_join[n] = (r.t_first - r.t_joined) / 1000.0;
      from_spawn[n] = (r.t_first - t_spawn) / 1000.0;
      to_pad[n] = r.t_pad ? (r.t_pad - r.t_joined) / 1000.0 : -1;
      printf ("room #%d: peer-joined -> first decoded frame %.1f ms "
          "(peer-joined -> its video pad added %.1f ms; sender spawn -> "
          "first frame %.1f ms)\n", i + 1, from_join[n], to_pad[n],
          from_spawn[n]);
      n++;
    } else {
      printf ("room #%d: no frame from the sender in 15 s (see %s)\n", i + 1,
          out);
    }
    fflush (stdout);
    g_subprocess_send_signal (sender, SIGTERM);
    g_subprocess_wait (sender, NULL, NULL);
    g_object_unref (sender);
    if (!wait_for (&r.peer_left, 10000, r.pipe))
      printf ("room #%d: no peer-left for the sender in 10 s\n", i + 1);
    g_usleep (200000);
    g_free (out);
    g_free (name);
  }

  print_stats ("room (webrtcroomsrc <- room-peer --mode sink), "
      "sender peer-joined -> first decoded frame at the receiver", from_join,
      n);
  print_stats ("room, sender process spawn -> first decoded frame at the "
      "receiver (includes process start, gst_init, server connect)",
      from_spawn, n);
  print_stats ("room, sender peer-joined -> its video pad added at the "
      "receiver (first RTP packet: signalling + ICE + DTLS)", to_pad, n);

  gst_element_set_state (r.pipe, GST_STATE_NULL);
  gst_object_unref (r.pipe);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_object_unref (server);
  g_free (r.expect_peer);
  g_free (from_join);
  g_free (from_spawn);
  g_free (to_pad);
  g_free (url);
  g_free (room_name);
  g_free (server_out);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "iterations (10)",
        NULL},
    {"skip-baseline", 0, 0, G_OPTION_ARG_NONE, &skip_baseline,
        "no webrtcbin pair baseline", NULL},
    {"skip-room", 0, 0, G_OPTION_ARG_NONE, &skip_room, "baseline only", NULL},
    {"server", 0, 0, G_OPTION_ARG_FILENAME, &server_path,
        "webrtc-room-server binary", NULL},
    {"room-peer", 0, 0, G_OPTION_ARG_FILENAME, &room_peer_path,
        "room-peer binary", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("- time to first frame");
  GError *err = NULL;

  /* the in-process receiver and the sender processes find the plugin */
  if (!g_getenv ("ELEMENTS_NO_PLUGIN_PATH")) {
    const gchar *old = g_getenv ("GST_PLUGIN_PATH");
    gchar *path = old && *old ? g_strdup_printf ("%s:%s", WR_BENCH_PLUGIN_DIR,
        old) : g_strdup (WR_BENCH_PLUGIN_DIR);
    g_setenv ("GST_PLUGIN_PATH", path, TRUE);
    g_free (path);
  }
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  log_dir = g_dir_make_tmp ("elements-ttff.XXXXXX", NULL);

  printf ("elements-ttff: %d iterations, load %s", iterations,
      "(see /proc/loadavg) ");
  {
    gchar *load = NULL;
    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    printf ("%s", load ? load : "\n");
    g_free (load);
  }
  fflush (stdout);
  /* the baseline first: its first iteration pays the process's RSA DTLS
   * certificate, which the room elements do not use */
  if (!skip_baseline)
    run_baseline ();
  if (!skip_room)
    run_room ();
  return 0;
}
