/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The send side of one track (gst/webrtcroom/sendpath.c) without the room
 * bin: videotestsrc feeds it in a plain bin, a branch ends in a fakesink.
 * Raw input: the chain encodes to the codec the owner names, caps-ready
 * comes before a branch is made, RTP flows into the branch, the input's
 * EOS reaches the EOS callback and never the branch (issue 10: gst-launch
 * -e + Ctrl-C). Encoded input: starting a branch sends a key-unit request
 * upstream out of the track's sink pad, to the upstream encoder. */

#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "gst/webrtcroom/sendpath-private.h"

#define WAIT_S 20

typedef struct
{
  const gchar *codec;
  gint caps_ready;              /* atomic counters */
  gint eos;
  gint branch_buffers;
  gint branch_eos;
  gint key_units;
  GMutex lock;
  gchar *branch_caps;           /* under lock */
} State;

static gchar *
encoder_config (GstWebRTCRoomSendPath * path, guint * bitrate, gpointer data)
{
  State *st = data;

  *bitrate = 500000;
  return g_strdup (st->codec);
}

static void
caps_ready (GstWebRTCRoomSendPath * path, gpointer data)
{
  g_atomic_int_inc (&((State *) data)->caps_ready);
}

static void
input_eos (GstWebRTCRoomSendPath * path, gpointer data)
{
  g_atomic_int_inc (&((State *) data)->eos);
}

static const GstWebRTCRoomSendPathCallbacks callbacks = {
  .encoder_config = encoder_config,
  .caps_ready = caps_ready,
  .eos = input_eos,
};

static GstPadProbeReturn
on_branch_data (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  State *st = data;

  /* the payloader pushes lists */
  if (info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST)) {
    g_atomic_int_inc (&st->branch_buffers);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
      g_atomic_int_inc (&st->branch_eos);
    else if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      g_mutex_lock (&st->lock);
      g_free (st->branch_caps);
      st->branch_caps = gst_caps_to_string (caps);
      g_mutex_unlock (&st->lock);
    }
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_upstream_event (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    g_atomic_int_inc (&((State *) data)->key_units);
  return GST_PAD_PROBE_OK;
}

/* Polls @counter (bounded), failing on an error of the pipeline. */
static gboolean
wait_for (GstElement * pipeline, gint * counter, gint at_least)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gint64 end = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;

  while (g_atomic_int_get (counter) < at_least) {
    g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus,
        20 * GST_MSECOND, GST_MESSAGE_ERROR);
    if (msg) {
      g_autoptr (GError) error = NULL;
      gst_message_parse_error (msg, &error, NULL);
      g_test_message ("pipeline error: %s", error->message);
      return FALSE;
    }
    if (g_get_monotonic_time () > end)
      return FALSE;
  }
  return TRUE;
}

/* Polls @pad's EOS mark (bounded); takes @pad's ref */
static gboolean
wait_for_pad_eos (GstElement * pipeline, GstPad * pad)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  gboolean eos;

  while (!(eos = GST_PAD_IS_EOS (pad)) && g_get_monotonic_time () < end)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  gst_object_unref (pad);
  return eos;
}

typedef struct
{
  State st;
  GstElement *pipeline;
  GstElement *room;             /* the container of the send path */
  GstWebRTCRoomSendPath *path;
} Fixture;

/* videotestsrc ! @upstream ! [room: the send path's pad] */
static void
fixture_start (Fixture * f, const gchar * codec, const gchar * upstream)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc is-live=true "
      "num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1 ! %s",
      upstream);
  GstElement *source = gst_parse_bin_from_description (desc, TRUE, &error);
  g_autoptr (GstPadTemplate) templ = gst_pad_template_new ("video_%u",
      GST_PAD_SINK, GST_PAD_REQUEST, GST_CAPS_ANY);
  g_autoptr (GstPad) source_src = NULL;
  GstPad *pad;

  g_assert_no_error (error);
  f->st.codec = codec;
  g_mutex_init (&f->st.lock);
  f->pipeline = gst_pipeline_new (NULL);
  f->room = gst_bin_new ("room");
  gst_bin_add_many (GST_BIN (f->pipeline), source, f->room, NULL);
  f->path = gst_webrtc_room_send_path_new (GST_BIN (f->room), templ,
      "video_0", &callbacks, &f->st);
  g_assert_cmpstr (gst_webrtc_room_send_path_get_media (f->path), ==, "video");
  pad = gst_webrtc_room_send_path_get_pad (f->path);
  gst_pad_set_active (pad, TRUE);
  g_assert_true (gst_element_add_pad (f->room, pad));
  source_src = gst_element_get_static_pad (source, "src");
  g_assert_cmpint (gst_pad_link (source_src, pad), ==, GST_PAD_LINK_OK);
  gst_pad_add_probe (source_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      on_upstream_event, &f->st, NULL);
  g_assert_false (gst_webrtc_room_send_path_is_ready (f->path));
  g_assert_cmpint (gst_element_set_state (f->pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
  g_assert_true (wait_for (f->pipeline, &f->st.caps_ready, 1));
  g_assert_true (gst_webrtc_room_send_path_is_ready (f->path));
}

/* A branch ending in a fakesink; returns the branch's queue. */
static GstElement *
add_branch (Fixture * f, const gchar * expected, GstElement ** sink)
{
  const GstWebRTCRoomCodec *codec =
      gst_webrtc_room_send_path_get_codec (f->path);
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstElement *queue;

  g_assert_nonnull (codec);
  g_assert_cmpstr (codec->name, ==, expected);
  *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (*sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (f->room), *sink);
  sink_pad = gst_element_get_static_pad (*sink, "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      on_branch_data, &f->st, NULL);
  gst_element_sync_state_with_parent (*sink);
  queue = gst_webrtc_room_send_path_make_branch (f->path, codec, 96, NULL,
      &src);
  g_assert_nonnull (queue);
  g_assert_cmpint (gst_pad_link (src, sink_pad), ==, GST_PAD_LINK_OK);
  gst_webrtc_room_send_path_start_branch (f->path, queue);
  return queue;
}

static void
release_branch (Fixture * f, GstElement * queue, GstElement * sink)
{
  g_autoptr (GPtrArray) elements =
      g_ptr_array_new_with_free_func (gst_object_unref);
  g_autoptr (GstPad) sink_pad = gst_webrtc_room_send_path_release_branch
      (f->path, queue, sink, elements);
  guint i;

  /* queue -> payloader, stopping at the sink whose pad it fed */
  g_assert_nonnull (sink_pad);
  g_assert_true (GST_OBJECT_PARENT (sink_pad) == GST_OBJECT (sink));
  g_assert_cmpuint (elements->len, ==, 2);
  g_assert_true (elements->pdata[0] == (gpointer) queue);
  for (i = 0; i < elements->len; i++) {
    gst_element_set_locked_state (elements->pdata[i], TRUE);
    gst_element_set_state (elements->pdata[i], GST_STATE_NULL);
    gst_bin_remove (GST_BIN (f->room), elements->pdata[i]);
  }
}

static void
fixture_stop (Fixture * f)
{
  gst_element_set_state (f->pipeline, GST_STATE_NULL);
  gst_webrtc_room_send_path_free (f->path);
  gst_object_unref (f->pipeline);
  g_free (f->st.branch_caps);
  g_mutex_clear (&f->st.lock);
}

static void
test_raw (void)
{
  Fixture f = { 0 };
  GstElement *sink, *queue;

  fixture_start (&f, "VP8", "identity");
  queue = add_branch (&f, "VP8", &sink);
  g_assert_true (wait_for (f.pipeline, &f.st.branch_buffers, 5));
  g_mutex_lock (&f.st.lock);
  g_assert_nonnull (f.st.branch_caps);
  g_assert_true (g_str_has_prefix (f.st.branch_caps, "application/x-rtp"));
  g_assert_nonnull (strstr (f.st.branch_caps, "VP8"));
  g_mutex_unlock (&f.st.lock);
  /* the input ends: the owner hears it, the branch does not. The tee's
   * sink pad is marked EOS once the tee has handed the event to every
   * branch (the mark is stored after the event function returned). */
  g_assert_true (wait_for (f.pipeline, &f.st.eos, 1));
  g_assert_true (gst_webrtc_room_send_path_is_eos (f.path));
  g_assert_true (wait_for_pad_eos (f.pipeline,
          gst_webrtc_room_send_path_get_key_unit_pad (f.path)));
  g_assert_cmpint (g_atomic_int_get (&f.st.branch_eos), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&f.st.caps_ready), ==, 1);
  release_branch (&f, queue, sink);
  fixture_stop (&f);
}

static void
test_encoded_key_unit (void)
{
  Fixture f = { 0 };
  GstElement *sink, *queue;

  /* no periodic key frame: only a request makes one */
  fixture_start (&f, "H264", "vp8enc deadline=1 keyframe-max-dist=100000");
  g_assert_cmpint (g_atomic_int_get (&f.st.key_units), ==, 0);
  /* pre-encoded: the codec is the input's, not the configured one */
  queue = add_branch (&f, "VP8", &sink);
  g_assert_true (wait_for (f.pipeline, &f.st.key_units, 1));
  g_assert_true (wait_for (f.pipeline, &f.st.branch_buffers, 1));
  release_branch (&f, queue, sink);
  fixture_stop (&f);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sendpath/raw", test_raw);
  g_test_add_func ("/sendpath/encoded-key-unit", test_encoded_key_unit);
  return g_test_run ();
}
