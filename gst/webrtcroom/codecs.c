/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The codecs we negotiate, with the elements and settings that make them
 * real time (see TRAPS.md: vpx deadline/lag, x264 zerolatency, H264
 * profile Chromium accepts, Opus stereo). */

#include "codecs-private.h"

#include <string.h>

static const GstWebRTCRoomCodec codecs[] = {
  {"VP8", "video", "video/x-vp8", "vp8enc",
        "deadline=1 lag-in-frames=0 cpu-used=8 threads=2 end-usage=cbr "
        "keyframe-max-dist=60 error-resilient=default",
        NULL, "target-bitrate", 1, NULL,
        "rtpvp8pay", "picture-id-mode=15-bit", "rtpvp8depay", "vp8dec",
      90000, 96, NULL},
  {"VP9", "video", "video/x-vp9", "vp9enc",
        "deadline=1 lag-in-frames=0 cpu-used=8 threads=2 end-usage=cbr "
        "keyframe-max-dist=60 row-mt=true",
        NULL, "target-bitrate", 1, NULL,
        "rtpvp9pay", "picture-id-mode=15-bit", "rtpvp9depay", "vp9dec",
      90000, 98, NULL},
  {"H264", "video", "video/x-h264", "x264enc",
        "tune=zerolatency speed-preset=ultrafast key-int-max=60 threads=2",
        "video/x-h264,profile=constrained-baseline",
        "bitrate", 1000, "h264parse",
        "rtph264pay", "config-interval=-1 aggregate-mode=zero-latency",
        "rtph264depay", "avdec_h264",
        90000, 102,
      "packetization-mode=(string)1,level-asymmetry-allowed=(string)1"},
  {"AV1", "video", "video/x-av1", "av1enc",
        "usage-profile=realtime cpu-used=8 end-usage=cbr",
        NULL, "target-bitrate", 1000, "av1parse",
      "rtpav1pay", NULL, "rtpav1depay", "av1dec", 90000, 45, NULL},
  {"OPUS", "audio", "audio/x-opus", "opusenc",
        "frame-size=20 audio-type=voice",
        NULL, "bitrate", 1, "opusparse",
        "rtpopuspay", NULL, "rtpopusdepay", "opusdec",
      48000, 111, "encoding-params=(string)2,minptime=(string)10,"
        "useinbandfec=(string)1"},
};

const GstWebRTCRoomCodec *
gst_webrtc_room_codec_get (guint index)
{
  return index < G_N_ELEMENTS (codecs) ? &codecs[index] : NULL;
}

const GstWebRTCRoomCodec *
gst_webrtc_room_codec_find (const gchar * name)
{
  guint i;

  for (i = 0; name && i < G_N_ELEMENTS (codecs); i++) {
    if (g_ascii_strcasecmp (codecs[i].name, name) == 0)
      return &codecs[i];
  }
  return NULL;
}

const GstWebRTCRoomCodec *
gst_webrtc_room_codec_for_encoded_caps (const GstCaps * caps)
{
  const gchar *media_type;
  guint i;

  if (!caps || gst_caps_is_empty (caps))
    return NULL;
  media_type = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    if (g_str_equal (codecs[i].encoded_caps, media_type))
      return &codecs[i];
  }
  return NULL;
}

const GstWebRTCRoomCodec *
gst_webrtc_room_codec_for_rtp_caps (const GstCaps * caps)
{
  const gchar *encoding_name;

  if (!caps || gst_caps_is_empty (caps))
    return NULL;
  encoding_name = gst_structure_get_string (gst_caps_get_structure (caps, 0),
      "encoding-name");
  return gst_webrtc_room_codec_find (encoding_name);
}

static gboolean
have_factory (const gchar * name)
{
  g_autoptr (GstElementFactory) factory = NULL;

  if (!name)
    return TRUE;
  factory = gst_element_factory_find (name);
  return factory != NULL;
}

/* Returns the first element the codec needs that is not installed. */
gchar *
gst_webrtc_room_codec_missing_element (const GstWebRTCRoomCodec * codec,
    gboolean sending)
{
  const gchar *needed_send[] = { codec->encoder, codec->payloader };
  const gchar *needed_recv[] = { codec->depayloader, codec->decoder };
  const gchar **needed = sending ? needed_send : needed_recv;
  guint i;

  for (i = 0; i < 2; i++) {
    if (!have_factory (needed[i]))
      return g_strdup (needed[i]);
  }
  return NULL;
}

GstCaps *
gst_webrtc_room_codec_rtp_caps (const GstWebRTCRoomCodec * codec, gint pt)
{
  g_autofree gchar *text = g_strdup_printf ("application/x-rtp,media=%s,"
      "encoding-name=%s,clock-rate=%d,payload=%d%s%s", codec->media,
      codec->name, codec->clock_rate, pt,
      codec->rtp_caps_extra ? "," : "",
      codec->rtp_caps_extra ? codec->rtp_caps_extra : "");

  return gst_caps_from_string (text);
}

/* The codec preferences of a receive-only transceiver: every codec of
 * @media we can depayload and decode, each with its default pt. */
GstCaps *
gst_webrtc_room_codecs_receive_caps (const gchar * media)
{
  GstCaps *caps = gst_caps_new_empty ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    g_autofree gchar *missing = NULL;

    if (!g_str_equal (codecs[i].media, media))
      continue;
    missing = gst_webrtc_room_codec_missing_element (&codecs[i], FALSE);
    if (missing)
      continue;
    gst_caps_append (caps, gst_webrtc_room_codec_rtp_caps (&codecs[i],
            codecs[i].default_pt));
  }
  return caps;
}

/* The value of @key in the a=fmtp line of @pt, read from the SDP itself:
 * gst_sdp_media_get_caps_from_media() of 1.22 turns profile-level-id into
 * a "profile" field and drops the original. */
static gchar *
fmtp_value (const GstSDPMedia * media, gint pt, const gchar * key)
{
  g_autofree gchar *prefix = g_strdup_printf ("%d ", pt);
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
    g_auto (GStrv) params = NULL;
    guint j;

    if (g_strcmp0 (attr->key, "fmtp") || !attr->value
        || !g_str_has_prefix (attr->value, prefix))
      continue;
    params = g_strsplit (attr->value + strlen (prefix), ";", -1);
    for (j = 0; params[j]; j++) {
      gchar *param = g_strstrip (params[j]);
      if (g_str_has_prefix (param, key) && param[strlen (key)] == '=')
        return g_strdup (param + strlen (key) + 1);
    }
  }
  return NULL;
}

/* How well an offered H264 format fits what x264enc
 * profile=constrained-baseline produces in rtph264pay's zero-latency mode:
 * packetization-mode=1 is required; constrained baseline is preferred. */
static gint
h264_score (const GstSDPMedia * media, gint pt)
{
  g_autofree gchar *mode = fmtp_value (media, pt, "packetization-mode");
  g_autofree gchar *profile = fmtp_value (media, pt, "profile-level-id");

  if (g_strcmp0 (mode, "1") != 0)
    return -1;
  if (!profile)
    return 1;
  if (g_ascii_strncasecmp (profile, "42e0", 4) == 0)
    return 4;
  if (g_ascii_strncasecmp (profile, "4200", 4) == 0)
    return 3;
  return 2;
}

/* The payload type the remote offered for @codec in @media, or -1; with
 * @profile_level_id, the H264 profile-level-id the remote gave it. */
gint
gst_webrtc_room_codec_find_pt_full (const GstWebRTCRoomCodec * codec,
    const GstSDPMedia * media, gchar ** profile_level_id)
{
  gint best_pt = -1, best_score = -1;
  guint i;

  for (i = 0; i < gst_sdp_media_formats_len (media); i++) {
    const gchar *fmt = gst_sdp_media_get_format (media, i);
    gint pt = atoi (fmt);
    g_autoptr (GstCaps) caps = gst_sdp_media_get_caps_from_media (media, pt);
    GstStructure *s;
    const gchar *encoding_name;
    gint score = 0;

    if (!caps)
      continue;
    s = gst_caps_get_structure (caps, 0);
    encoding_name = gst_structure_get_string (s, "encoding-name");
    if (!encoding_name || g_ascii_strcasecmp (encoding_name, codec->name))
      continue;
    if (g_str_equal (codec->name, "H264"))
      score = h264_score (media, pt);
    if (score > best_score) {
      best_score = score;
      best_pt = pt;
      if (profile_level_id) {
        g_free (*profile_level_id);
        *profile_level_id = fmtp_value (media, pt, "profile-level-id");
      }
    }
  }
  return best_pt;
}

gint
gst_webrtc_room_codec_find_pt (const GstWebRTCRoomCodec * codec,
    const GstSDPMedia * media)
{
  return gst_webrtc_room_codec_find_pt_full (codec, media, NULL);
}

void
gst_webrtc_room_set_object_args (GObject * object, const gchar * args)
{
  g_auto (GStrv) pairs = NULL;
  guint i;

  if (!args)
    return;
  pairs = g_strsplit (args, " ", -1);
  for (i = 0; pairs[i]; i++) {
    gchar *eq = strchr (pairs[i], '=');
    if (!eq)
      continue;
    *eq = '\0';
    gst_util_set_object_arg (object, pairs[i], eq + 1);
  }
}

GstElement *
gst_webrtc_room_codec_make_encoder (const GstWebRTCRoomCodec * codec,
    guint bitrate)
{
  GstElement *encoder = gst_element_factory_make (codec->encoder, NULL);

  if (!encoder)
    return NULL;
  gst_webrtc_room_set_object_args (G_OBJECT (encoder), codec->encoder_args);
  if (bitrate && codec->bitrate_prop)
    g_object_set (encoder, codec->bitrate_prop,
        bitrate / codec->bitrate_divisor, NULL);
  return encoder;
}
