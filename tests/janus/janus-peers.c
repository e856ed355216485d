/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Room elements of the janus suite, several in one process: `--mode=sink`
 * publishes a test pattern with one webrtcroomsink, `--mode=src` runs
 * --count webrtcroomsrc elements in one pipeline, `--mode=bin` --count
 * webrtcroombin elements each publishing a test pattern; src and bin exit
 * 0 once each element decoded --min-frames video frames from
 * --expect-feeds different publishers (feeds), 1 on an element error or at
 * --timeout. */

#include <gst/gst.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GMutex lock;
  GHashTable *frames;           /* "element/feed" -> guint count */
  gint exit_code;
  gint64 start_us;

  gchar *mode;
  gchar *url;
  gchar *room;
  gchar *token;
  gchar *local_addresses;
  gint count;
  gint min_frames;
  gint expect_feeds;
  gint timeout_s;
  gint duration_s;
  gint stay_s;
  gboolean done;
  gint width;
  gint height;
  gint fps;
} Peers;

static gboolean
on_timeout (gpointer data)
{
  Peers *p = data;

  g_print ("TIMEOUT\n");
  p->exit_code = 1;
  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_duration (gpointer data)
{
  Peers *p = data;

  g_print ("DONE duration\n");
  p->exit_code = 0;
  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  Peers *p = data;

  /* a publisher told to leave did its job */
  if (!g_strcmp0 (p->mode, "sink"))
    p->exit_code = 0;
  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

/* every element has --min-frames from --expect-feeds feeds */
static gboolean
all_done_locked (Peers * p)
{
  gint i;

  for (i = 0; i < p->count; i++) {
    g_autofree gchar *prefix = g_strdup_printf ("src%d/", i);
    GHashTableIter iter;
    gpointer key, value;
    gint feeds = 0;

    g_hash_table_iter_init (&iter, p->frames);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      if (g_str_has_prefix (key, prefix)
          && GPOINTER_TO_UINT (value) >= (guint) p->min_frames)
        feeds++;
    }
    if (feeds < p->expect_feeds)
      return FALSE;
  }
  return TRUE;
}

static gboolean
quit_now (gpointer data)
{
  Peers *p = data;

  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

/* done: quit, after --stay seconds (others may still need our media) */
static gboolean
quit_idle (gpointer data)
{
  Peers *p = data;

  if (p->done)
    return G_SOURCE_REMOVE;
  p->done = TRUE;
  g_print ("DONE after %.1f s\n",
      (g_get_monotonic_time () - p->start_us) / 1e6);
  p->exit_code = 0;
  if (p->stay_s > 0)
    g_timeout_add_seconds (p->stay_s, quit_now, p);
  else
    g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

static void
on_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad,
    gpointer user_data)
{
  Peers *p = g_object_get_data (G_OBJECT (sink), "peers");
  const gchar *key = user_data;
  guint n;
  gboolean done = FALSE;

  g_mutex_lock (&p->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (p->frames, key)) + 1;
  g_hash_table_insert (p->frames, g_strdup (key), GUINT_TO_POINTER (n));
  if (n == (guint) p->min_frames) {
    g_print ("FRAMES %s %u\n", key, n);
    done = all_done_locked (p);
  }
  g_mutex_unlock (&p->lock);
  if (done)
    g_idle_add (quit_idle, p);
}

/* video_<peer>_<n> -> <peer> */
static gchar *
peer_of_pad (const gchar * pad_name)
{
  const gchar *start = strchr (pad_name, '_');
  const gchar *end = strrchr (pad_name, '_');

  if (!start || end <= start)
    return g_strdup (pad_name);
  return g_strndup (start + 1, end - start - 1);
}

static void
on_pad_added (GstElement * element, GstPad * pad, Peers * p)
{
  g_autofree gchar *pad_name = gst_pad_get_name (pad);
  g_autofree gchar *peer = peer_of_pad (pad_name);
  GstElement *queue, *sink;
  GstPad *sinkpad;

  /* a bin's request sink pads are announced too */
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  queue = gst_element_factory_make ("queue", NULL);
  sink = gst_element_factory_make ("fakesink", NULL);

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  if (g_str_has_prefix (pad_name, "video")) {
    gchar *key = g_strdup_printf ("%s/%s", GST_OBJECT_NAME (element), peer);
    g_object_set (sink, "signal-handoffs", TRUE, NULL);
    g_object_set_data (G_OBJECT (sink), "peers", p);
    g_signal_connect_data (sink, "handoff", G_CALLBACK (on_handoff), key,
        (GClosureNotify) g_free, 0);
  }
  gst_bin_add_many (GST_BIN (p->pipeline), queue, sink, NULL);
  gst_element_link (queue, sink);
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (queue);
  sinkpad = gst_element_get_static_pad (queue, "sink");
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    g_printerr ("could not link %s\n", pad_name);
  gst_object_unref (sinkpad);
  g_print ("PAD %s %s\n", GST_OBJECT_NAME (element), pad_name);
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  Peers *p = data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (msg, &error, &debug);
      g_print ("ERROR %s: %s (%s)\n", GST_OBJECT_NAME (msg->src),
          error->message, debug ? debug : "");
      p->exit_code = 1;
      g_main_loop_quit (p->loop);
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) error = NULL;

      gst_message_parse_warning (msg, &error, NULL);
      g_print ("WARNING %s: %s\n", GST_OBJECT_NAME (msg->src), error->message);
      break;
    }
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      const gchar *name = gst_structure_get_name (s);

      if (g_str_has_prefix (name, "webrtcroom-"))
        g_print ("%s %s %s\n", GST_OBJECT_NAME (msg->src), name,
            gst_structure_get_string (s, "peer-id"));
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static void
set_common (Peers * p, GstElement * e)
{
  g_object_set (e, "server-url", p->url, "room", p->room, "ice-tcp", FALSE,
      NULL);
  if (p->local_addresses)
    g_object_set (e, "local-addresses", p->local_addresses, NULL);
  if (p->token)
    g_object_set (e, "token", p->token, NULL);
}

/* videotestsrc ! caps ! @element's video_0 */
static gboolean
add_test_source (Peers * p, GstElement * element, GError ** error)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "pattern=ball ! video/x-raw,width=%d,height=%d,framerate=%d/1 ! queue",
      p->width, p->height, p->fps);
  GstElement *source = gst_parse_bin_from_description (desc, TRUE, error);

  if (!source)
    return FALSE;
  gst_bin_add (GST_BIN (p->pipeline), source);
  if (!gst_element_link_pads (source, NULL, element, "video_%u")) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot link a test source to %s", GST_OBJECT_NAME (element));
    return FALSE;
  }
  return TRUE;
}

static gboolean
build (Peers * p, GError ** error)
{
  gint i;

  p->pipeline = gst_pipeline_new (NULL);
  if (!g_strcmp0 (p->mode, "sink")) {
    g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
        "pattern=ball ! video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
        "webrtcroomsink name=sink0", p->width, p->height, p->fps);
    GstElement *bin = gst_parse_bin_from_description (desc, FALSE, error);
    GstElement *sink;

    if (!bin)
      return FALSE;
    sink = gst_bin_get_by_name (GST_BIN (bin), "sink0");
    set_common (p, sink);
    gst_object_unref (sink);
    gst_bin_add (GST_BIN (p->pipeline), bin);
    return TRUE;
  }
  for (i = 0; i < p->count; i++) {
    g_autofree gchar *name = g_strdup_printf ("src%d", i);
    gboolean bin = !g_strcmp0 (p->mode, "bin");
    GstElement *src = gst_element_factory_make (bin ? "webrtcroombin" :
        "webrtcroomsrc", name);

    if (!src) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
          "no webrtcroomsrc");
      return FALSE;
    }
    set_common (p, src);
    g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), p);
    gst_bin_add (GST_BIN (p->pipeline), src);
    if (bin && !add_test_source (p, src, error))
      return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  Peers p = { 0, };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    {"mode", 0, 0, G_OPTION_ARG_STRING, &p.mode, "sink, src or bin", NULL},
    {"url", 0, 0, G_OPTION_ARG_STRING, &p.url, "janus+ws:// URL", NULL},
    {"room", 0, 0, G_OPTION_ARG_STRING, &p.room, "VideoRoom id", NULL},
    {"token", 0, 0, G_OPTION_ARG_STRING, &p.token, "room pin", NULL},
    {"local-addresses", 0, 0, G_OPTION_ARG_STRING, &p.local_addresses,
        "ICE addresses", NULL},
    {"count", 0, 0, G_OPTION_ARG_INT, &p.count, "src elements", NULL},
    {"min-frames", 0, 0, G_OPTION_ARG_INT, &p.min_frames, "frames", NULL},
    {"expect-feeds", 0, 0, G_OPTION_ARG_INT, &p.expect_feeds,
        "feeds each src must decode", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &p.timeout_s, "seconds", NULL},
    {"duration", 0, 0, G_OPTION_ARG_INT, &p.duration_s,
        "sink: publish this long, then exit 0 (0: until killed)", NULL},
    {"stay", 0, 0, G_OPTION_ARG_INT, &p.stay_s,
        "src/bin: seconds to stay once done", NULL},
    {"width", 0, 0, G_OPTION_ARG_INT, &p.width, "video width", NULL},
    {"height", 0, 0, G_OPTION_ARG_INT, &p.height, "video height", NULL},
    {"fps", 0, 0, G_OPTION_ARG_INT, &p.fps, "frame rate", NULL},
    {NULL}
  };
  GstBus *bus;

  p.count = 1;
  p.min_frames = 30;
  p.expect_feeds = 1;
  p.timeout_s = 60;
  p.width = 320;
  p.height = 240;
  p.fps = 30;
  p.room = g_strdup ("1234");
  ctx = g_option_context_new ("- room elements through Janus");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (!p.url || p.count < 1 || p.count > 64) {
    g_printerr ("--url is required, --count 1..64\n");
    return 2;
  }

  g_mutex_init (&p.lock);
  p.frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p.loop = g_main_loop_new (NULL, FALSE);
  p.exit_code = 1;
  if (!build (&p, &error)) {
    g_printerr ("pipeline: %s\n", error->message);
    return 2;
  }
  bus = gst_element_get_bus (p.pipeline);
  gst_bus_add_watch (bus, on_bus, &p);
  gst_object_unref (bus);
  g_timeout_add_seconds (p.timeout_s, on_timeout, &p);
  if (p.duration_s > 0)
    g_timeout_add_seconds (p.duration_s, on_duration, &p);
  g_unix_signal_add (SIGINT, on_signal, &p);
  g_unix_signal_add (SIGTERM, on_signal, &p);

  p.start_us = g_get_monotonic_time ();
  if (gst_element_set_state (p.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_print ("ERROR could not start\n");
    /* stop what did start (threads of the other elements) before exit */
    gst_element_set_state (p.pipeline, GST_STATE_NULL);
    gst_object_unref (p.pipeline);
    return 1;
  }
  g_main_loop_run (p.loop);
  gst_element_set_state (p.pipeline, GST_STATE_NULL);
  gst_object_unref (p.pipeline);
  g_main_loop_unref (p.loop);
  g_hash_table_unref (p.frames);
  g_print ("EXIT %d\n", p.exit_code);
  return p.exit_code;
}
