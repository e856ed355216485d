/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The elements on their own (GstHarness, no peer): defaults, pad templates,
 * the send input built from the first caps (one encoder for raw input, none
 * for encoded input, the codec property honoured) and a clear error for a
 * codec that does not exist. The room server is unreachable on purpose: the
 * send input does not depend on it. */

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <string.h>

#include "testserver.h"

#define NOWHERE "ws://127.0.0.1:9/ws"

static GstElement *
make (const gchar * factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  g_assert_nonnull (element);
  g_object_set (element, "server-url", NOWHERE, NULL);
  return element;
}

static void
test_defaults (void)
{
  const gchar *factories[] = { "webrtcroombin", "webrtcroomsink",
    "webrtcroomsrc"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (factories); i++) {
    GstElement *element = gst_element_factory_make (factories[i], NULL);
    GstElementClass *klass;
    gboolean nack, fec = FALSE, upnp, decode = TRUE, offers;
    guint media_timeout, latency = 50;
    gchar *url = NULL;

    g_assert_nonnull (element);
    g_object_get (element, "nack", &nack, "upnp", &upnp, "offers", &offers,
        "media-timeout", &media_timeout, "server-url", &url, NULL);
    if (!g_str_equal (factories[i], "webrtcroomsrc"))
      g_object_get (element, "fec", &fec, NULL);
    if (!g_str_equal (factories[i], "webrtcroomsink"))
      g_object_get (element, "decode", &decode, "latency", &latency, NULL);
    g_assert_true (nack);
    g_assert_false (fec);
    g_assert_false (upnp);
    g_assert_true (decode);
    g_assert_true (offers);
    g_assert_cmpuint (media_timeout, ==, 2000);
    g_assert_cmpuint (latency, ==, 50);
    g_assert_cmpstr (url, ==, "ws://127.0.0.1:8443/ws");
    g_free (url);

    klass = GST_ELEMENT_GET_CLASS (element);
    /* the sink sends only, the src receives only */
    g_assert_true ((gst_element_class_get_pad_template (klass,
                "video_%u") != NULL) == !g_str_equal (factories[i],
            "webrtcroomsrc"));
    g_assert_true ((gst_element_class_get_pad_template (klass,
                "video_%s_%u") != NULL) == !g_str_equal (factories[i],
            "webrtcroomsink"));
    gst_object_unref (element);
  }
}

/* Elements of @bin whose factory's klass contains @what ("Encoder"...) */
static guint
count_by_klass (GstElement * bin, const gchar * what)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  guint n = 0;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);
    const gchar *klass = f ? gst_element_factory_get_metadata (f,
        GST_ELEMENT_METADATA_KLASS) : NULL;
    if (klass && strstr (klass, what))
      n++;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return n;
}

static gboolean
has_factory (GstElement * bin, const gchar * name)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory (g_value_get_object (&item));
    found = f && g_str_equal (GST_OBJECT_NAME (f), name);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

/* Pushes @caps and a few buffers into a new harness on @element's
 * `video_%u` request pad; returns the harness. */
static GstHarness *
push_video (GstElement * element, const gchar * caps)
{
  GstHarness *h = gst_harness_new_with_element (element, "video_%u", NULL);
  guint i;

  gst_harness_set_src_caps_str (h, caps);
  gst_harness_play (h);
  for (i = 0; i < 3; i++) {
    GstBuffer *buf = gst_harness_create_buffer (h, 320 * 240 * 3 / 2);
    GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
    GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
    gst_harness_push (h, buf);
  }
  return h;
}

static void
test_raw_input_one_encoder (void)
{
  GstElement *sink = make ("webrtcroomsink");
  GstHarness *h = push_video (sink,
      "video/x-raw,format=I420,width=320,height=240,framerate=30/1");

  /* encode once: one encoder whatever the number of peers (none yet) */
  g_assert_cmpuint (count_by_klass (sink, "Encoder"), ==, 1);
  g_assert_true (has_factory (sink, "vp8enc"));
  gst_harness_teardown (h);
  gst_object_unref (sink);
}

static void
test_codec_property (void)
{
  GstElement *sink = make ("webrtcroomsink");
  GstHarness *h;

  gst_util_set_object_arg (G_OBJECT (sink), "video-codec", "H264");
  h = push_video (sink,
      "video/x-raw,format=I420,width=320,height=240,framerate=30/1");
  g_assert_cmpuint (count_by_klass (sink, "Encoder"), ==, 1);
  g_assert_true (has_factory (sink, "x264enc"));
  gst_harness_teardown (h);
  gst_object_unref (sink);
}

static void
test_encoded_input_not_reencoded (void)
{
  GstElement *sink = make ("webrtcroomsink");
  GstHarness *h = push_video (sink,
      "video/x-vp8,width=320,height=240,framerate=30/1");

  g_assert_cmpuint (count_by_klass (sink, "Encoder"), ==, 0);
  gst_harness_teardown (h);
  gst_object_unref (sink);
}

/* video-codec is an enum: a codec that does not exist is refused when the
 * launch line is parsed, not when caps arrive. */
static void
test_unknown_codec_refused (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch ("videotestsrc ! webrtcroomsink "
      "video-codec=H265", &error);
  GParamSpec *pspec;

  g_assert_nonnull (error);
  g_test_message ("parse: %s", error->message);
  g_assert_nonnull (strstr (error->message, "video-codec"));
  gst_clear_object (&pipeline);
  pspec = g_object_class_find_property (g_type_class_peek
      (g_type_from_name ("GstWebRTCRoomSink")), "video-codec");
  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
}

/* Each element shows only the properties that apply to it. */
static void
test_properties_per_element (void)
{
  struct
  {
    const gchar *factory;
    const gchar *present[6];
    const gchar *absent[6];
  } cases[] = {
    {"webrtcroomsink", {"video-codec", "audio-codec", "bitrate", "fec",
            "nack", NULL}, {"decode", "latency", NULL}},
    {"webrtcroomsrc", {"decode", "latency", "nack", NULL},
        {"video-codec", "audio-codec", "bitrate", "fec", NULL}},
    {"webrtcroombin", {"video-codec", "bitrate", "fec", "decode", "latency",
            NULL}, {NULL}},
  };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *e = gst_element_factory_make (cases[i].factory, NULL);
    GObjectClass *klass = G_OBJECT_GET_CLASS (e);

    for (j = 0; cases[i].present[j]; j++)
      g_assert_nonnull (g_object_class_find_property (klass,
              cases[i].present[j]));
    for (j = 0; cases[i].absent[j]; j++)
      g_assert_null (g_object_class_find_property (klass, cases[i].absent[j]));
    gst_object_unref (e);
  }
}

/* A bad server-url, stun-server or turn-servers fails the state change
 * with a clear element error. */
static void
test_bad_settings_fail (void)
{
  struct
  {
    const gchar *property;
    const gchar *value;
    const gchar *expect;
  } cases[] = {
    {"server-url", "http://127.0.0.1:8443/ws", "Invalid server-url"},
    {"server-url", "not a url", "Invalid server-url"},
    {"turn-servers", "garbage", "Invalid turn-servers"},
    {"turn-servers", "turn://nouser@host", "Invalid turn-servers"},
    {"stun-server", "garbage", "Invalid stun-server"},
    {"stun-server", "turn://u:p@host:3478", "Invalid stun-server"},
    {"local-addresses", "not-an-ip", "Invalid local-addresses"},
    {"ca-file", "/nonexistent/ca.pem", "Invalid ca-file"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstElement *sink = make ("webrtcroomsink");
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;
    g_autoptr (GError) error = NULL;

    gst_element_set_bus (sink, bus);
    g_object_set (sink, cases[i].property, cases[i].value, NULL);
    g_assert_cmpint (gst_element_set_state (sink, GST_STATE_READY), ==,
        GST_STATE_CHANGE_FAILURE);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    g_assert_nonnull (msg);
    gst_message_parse_error (msg, &error, NULL);
    g_test_message ("%s=%s: %s", cases[i].property, cases[i].value,
        error->message);
    g_assert_nonnull (strstr (error->message, cases[i].expect));
    gst_message_unref (msg);
    gst_element_set_state (sink, GST_STATE_NULL);
    gst_element_set_bus (sink, NULL);
    gst_object_unref (bus);
    gst_object_unref (sink);
  }
}

/* gst-launch-1.0 -e: an EOS sent to a pipeline with a publishing
 * webrtcroomsink (video and audio, in a room of a real server) reaches the
 * pipeline's bus, so the application can stop. */
static void
test_eos_goes_through (void)
{
  g_autoptr (GError) error = NULL;
  WrTestServer *server = wr_test_server_start (NULL, &error);
  g_autofree gchar *url = NULL;
  g_autofree gchar *line = NULL;
  GstElement *pipeline;
  GstMessage *msg;

  g_assert_no_error (error);
  url = wr_test_server_get_ws_url (server);
  line = g_strdup_printf ("webrtcroomsink name=room server-url=%s room=eos "
      "local-addresses=127.0.0.1 ice-tcp=false "
      "videotestsrc is-live=true ! video/x-raw,width=160,height=120 ! "
      "queue ! room.video_0 audiotestsrc is-live=true ! queue ! "
      "room.audio_0", url);
  pipeline = gst_parse_launch (line, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      10 * GST_SECOND, GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_ELEMENT);
  gst_message_unref (msg);
  /* let media flow a moment, then end it as gst-launch -e does */
  g_usleep (500 * 1000);
  gst_element_send_event (pipeline, gst_event_new_eos ());
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  wr_test_server_stop (server);
}

static void
test_request_pads (void)
{
  GstElement *bin = make ("webrtcroombin");
  GstElement *src = make ("webrtcroomsrc");
  GstPad *video, *audio;

  video = gst_element_request_pad_simple (bin, "video_%u");
  audio = gst_element_request_pad_simple (bin, "audio_%u");
  g_assert_nonnull (video);
  g_assert_nonnull (audio);
  g_assert_cmpstr (GST_PAD_NAME (video), ==, "video_0");
  g_assert_cmpstr (GST_PAD_NAME (audio), ==, "audio_0");
  gst_element_release_request_pad (bin, video);
  gst_element_release_request_pad (bin, audio);
  gst_object_unref (video);
  gst_object_unref (audio);
  g_assert_null (bin->sinkpads);
  /* a receive-only element has nothing to request */
  g_assert_null (gst_element_request_pad_simple (src, "video_%u"));
  gst_object_unref (bin);
  gst_object_unref (src);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/element/defaults", test_defaults);
  g_test_add_func ("/element/request-pads", test_request_pads);
  g_test_add_func ("/element/raw-input-one-encoder",
      test_raw_input_one_encoder);
  g_test_add_func ("/element/codec-property", test_codec_property);
  g_test_add_func ("/element/encoded-input-not-reencoded",
      test_encoded_input_not_reencoded);
  g_test_add_func ("/element/unknown-codec-refused",
      test_unknown_codec_refused);
  g_test_add_func ("/element/properties-per-element",
      test_properties_per_element);
  g_test_add_func ("/element/bad-settings-fail", test_bad_settings_fail);
  g_test_add_func ("/element/eos-goes-through", test_eos_goes_through);
  return g_test_run ();
}
