/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The media watchdog end to end on loopback: a webrtcroomsink pipeline and a
 * webrtcroomsrc pipeline linked the gst-launch way (the first src pad, once)
 * in one room; every UDP packet on lo is dropped for 3 s with iptables. Video
 * must come back on the same, still linked pad after the restore, with the
 * watchdog's element messages, and without an error. The bound on "comes
 * back" is loose (a loaded machine must pass; 2-3 s on a quiet one, printed
 * by the test): it tells a recovery from none.
 *
 * The test moves itself into a network namespace of its own (only lo) before
 * anything else, so its iptables rule can never touch the host and dies with
 * the process whatever happens. Skipped when that is not permitted (not
 * root) or iptables-legacy is missing. */

#define _GNU_SOURCE
#include <sched.h>
#include <gst/gst.h>
#include <errno.h>
#include <string.h>

#include "testserver.h"

#define CUT_MS 3000
#define RESUME_LIMIT_MS 20000
#define IPTABLES "iptables-legacy"
#define DROP_RULE "INPUT", "-i", "lo", "-p", "udp", "-j", "DROP"

typedef struct
{
  GMutex lock;
  guint frames;
  gint64 last_frame_us;
  gint64 first_frame_after_us;  /* first frame after restored_us */
  gint64 restored_us;
  guint pads_added;
  guint media_timeouts;
  guint reconnecting;
  gchar *error;
} Watch;

static gboolean rule_added;
static gchar *skip_reason;

static gboolean
run_iptables (const gchar * action, GError ** error)
{
  const gchar *argv[] = { IPTABLES, action, DROP_RULE, NULL };
  gint status = 0;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH |
          G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
          NULL, NULL, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static void
restore_link (void)
{
  if (rule_added && run_iptables ("-D", NULL))
    rule_added = FALSE;
}

static void
on_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad, Watch * w)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&w->lock);
  w->frames++;
  w->last_frame_us = now;
  if (w->restored_us && !w->first_frame_after_us && now > w->restored_us)
    w->first_frame_after_us = now;
  g_mutex_unlock (&w->lock);
  /* the test waits on the default main context */
  g_main_context_wakeup (NULL);
}

/* gst-launch style: the first video pad is linked, once */
static void
on_pad_added (GstElement * room, GstPad * pad, GstElement * sink)
{
  Watch *w = g_object_get_data (G_OBJECT (sink), "watch");
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  g_mutex_lock (&w->lock);
  w->pads_added++;
  g_mutex_unlock (&w->lock);
  if (!gst_pad_is_linked (sinkpad) && g_str_has_prefix (GST_PAD_NAME (pad),
          "video_"))
    g_assert_cmpint (gst_pad_link (pad, sinkpad), ==, GST_PAD_LINK_OK);
}

static GstBusSyncReply
on_message (GstBus * bus, GstMessage * msg, Watch * w)
{
  const GstStructure *s = gst_message_get_structure (msg);

  g_mutex_lock (&w->lock);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR && !w->error) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    w->error = g_strdup (err->message);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s) {
    if (gst_structure_has_name (s, "webrtcroom-peer-media-timeout"))
      w->media_timeouts++;
    else if (gst_structure_has_name (s, "webrtcroom-peer-reconnecting"))
      w->reconnecting++;
    if (g_str_has_prefix (gst_structure_get_name (s), "webrtcroom-peer-"))
      g_test_message ("%s: %s", GST_MESSAGE_SRC_NAME (msg),
          gst_structure_get_name (s));
  }
  g_mutex_unlock (&w->lock);
  g_main_context_wakeup (NULL);
  return GST_BUS_DROP;
}

static GstElement *
make_pipeline (const gchar * description, Watch * w)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = NULL;

  g_assert_no_error (error);
  bus = gst_element_get_bus (pipeline);
  gst_bus_set_sync_handler (bus, (GstBusSyncHandler) on_message, w, NULL);
  return pipeline;
}

static gboolean
enough_frames (gpointer data)
{
  Watch *w = data;
  gboolean done;

  g_mutex_lock (&w->lock);
  done = w->frames >= 30 || w->error;
  g_mutex_unlock (&w->lock);
  return done;
}

static gboolean
resumed (gpointer data)
{
  Watch *w = data;
  gboolean done;

  g_mutex_lock (&w->lock);
  done = w->first_frame_after_us || w->error;
  g_mutex_unlock (&w->lock);
  return done;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
test_link_cut (void)
{
  g_autoptr (GError) error = NULL;
  WrTestServer *server;
  g_autofree gchar *url = NULL;
  g_autofree gchar *send_desc = NULL;
  g_autofree gchar *recv_desc = NULL;
  GstElement *sender, *receiver, *room, *sink;
  Watch send_watch = { 0, }, recv_watch = { 0, };
  gint64 cut_us, resume_ms;
  guint frames_cut, resume_limit_ms;

  if (skip_reason) {
    g_test_skip (skip_reason);
    return;
  }

  server = wr_test_server_start (NULL, &error);
  g_assert_no_error (error);
  url = wr_test_server_get_ws_url (server);
  g_mutex_init (&send_watch.lock);
  g_mutex_init (&recv_watch.lock);

  send_desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! webrtcroomsink "
      "server-url=%s room=recovery display-name=sender "
      "local-addresses=127.0.0.1 ice-tcp=false", url);
  recv_desc = g_strdup_printf ("webrtcroomsrc name=room server-url=%s "
      "room=recovery display-name=viewer local-addresses=127.0.0.1 "
      "ice-tcp=false fakesink name=sink signal-handoffs=true sync=false "
      "async=false", url);
  sender = make_pipeline (send_desc, &send_watch);
  receiver = make_pipeline (recv_desc, &recv_watch);
  room = gst_bin_get_by_name (GST_BIN (receiver), "room");
  sink = gst_bin_get_by_name (GST_BIN (receiver), "sink");
  g_object_set_data (G_OBJECT (sink), "watch", &recv_watch);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &recv_watch);
  g_signal_connect (room, "pad-added", G_CALLBACK (on_pad_added), sink);

  gst_element_set_state (receiver, GST_STATE_PLAYING);
  gst_element_set_state (sender, GST_STATE_PLAYING);
  g_assert_true (wr_test_wait_until (enough_frames, &recv_watch, 30000));
  g_assert_null (recv_watch.error);

  g_assert_true (run_iptables ("-I", &error));
  g_assert_no_error (error);
  rule_added = TRUE;
  cut_us = g_get_monotonic_time ();
  wr_test_wait_until (never, NULL, 1000);
  g_mutex_lock (&recv_watch.lock);
  frames_cut = recv_watch.frames;
  g_mutex_unlock (&recv_watch.lock);
  wr_test_wait_until (never, NULL, CUT_MS - 1000);
  /* the cut is real: nothing arrived in its last two seconds */
  g_mutex_lock (&recv_watch.lock);
  g_assert_cmpuint (recv_watch.frames, ==, frames_cut);
  g_mutex_unlock (&recv_watch.lock);
  restore_link ();
  g_assert_false (rule_added);
  g_mutex_lock (&recv_watch.lock);
  recv_watch.restored_us = g_get_monotonic_time ();
  g_mutex_unlock (&recv_watch.lock);

  /* sanitizer builds run several times slower */
  resume_limit_ms = g_getenv ("WEBRTC_ROOM_SLOW") ? 3 * RESUME_LIMIT_MS :
      RESUME_LIMIT_MS;
  g_assert_true (wr_test_wait_until (resumed, &recv_watch, resume_limit_ms));
  g_mutex_lock (&recv_watch.lock);
  resume_ms = (recv_watch.first_frame_after_us - recv_watch.restored_us) / 1000;
  g_mutex_unlock (&recv_watch.lock);
  g_test_message ("link cut %d ms; video back %" G_GINT64_FORMAT " ms after "
      "the restore, %" G_GINT64_FORMAT " ms after the cut", CUT_MS, resume_ms,
      (recv_watch.first_frame_after_us - cut_us) / 1000);
  g_assert_cmpint (resume_ms, <=, resume_limit_ms);

  /* it keeps flowing: another second of video on the same pad */
  recv_watch.frames = 0;
  g_assert_true (wr_test_wait_until (enough_frames, &recv_watch, 15000));

  g_assert_null (send_watch.error);
  g_assert_null (recv_watch.error);
  /* one pad for the whole call: the replacement reused it */
  g_assert_cmpuint (recv_watch.pads_added, ==, 1);
  g_assert_cmpuint (send_watch.media_timeouts + recv_watch.media_timeouts, >=,
      1);
  g_assert_cmpuint (send_watch.reconnecting, >=, 1);
  g_assert_cmpuint (recv_watch.reconnecting, >=, 1);

  gst_element_set_state (sender, GST_STATE_NULL);
  gst_element_set_state (receiver, GST_STATE_NULL);
  gst_object_unref (room);
  gst_object_unref (sink);
  gst_object_unref (sender);
  gst_object_unref (receiver);
  g_free (send_watch.error);
  g_free (recv_watch.error);
  g_mutex_clear (&send_watch.lock);
  g_mutex_clear (&recv_watch.lock);
  wr_test_server_stop (server);
}

/* A private network namespace holding only lo, up; NULL or why not. */
static gchar *
enter_private_network (void)
{
  const gchar *ip_argv[] = { "ip", "link", "set", "lo", "up", NULL };
  g_autofree gchar *path = g_find_program_in_path (IPTABLES);
  g_autoptr (GError) error = NULL;
  gint status = 0;

  if (!path)
    return g_strdup (IPTABLES " is not installed");
  if (unshare (CLONE_NEWNET) != 0)
    return g_strdup_printf ("cannot create a network namespace (%s): "
        "needs root", g_strerror (errno));
  if (!g_spawn_sync (NULL, (gchar **) ip_argv, NULL, G_SPAWN_SEARCH_PATH,
          NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    return g_strdup_printf ("cannot bring lo up: %s", error->message);
  /* probe that rules can be changed here */
  if (!run_iptables ("-A", &error))
    return g_strdup_printf ("cannot add an iptables rule: %s", error->message);
  rule_added = TRUE;
  restore_link ();
  return rule_added ? g_strdup ("cannot remove an iptables rule") : NULL;
}

int
main (int argc, char **argv)
{
  int ret;

  /* before any thread exists: unshare() applies to the calling thread */
  skip_reason = enter_private_network ();
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/elements/recovery/link-cut", test_link_cut);
  ret = g_test_run ();
  restore_link ();
  g_free (skip_reason);
  gst_deinit ();
  return ret;
}
