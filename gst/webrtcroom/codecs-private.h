/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/* One codec the elements can send and receive. All strings are static. */
typedef struct
{
  const gchar *name;            /* SDP encoding-name, also the property value */
  const gchar *media;           /* "video" or "audio" */
  const gchar *encoded_caps;    /* caps of an already-encoded input */
  const gchar *encoder;
  const gchar *encoder_args;    /* "prop=value ..." applied to the encoder */
  const gchar *encoder_caps;    /* caps forced after the encoder, or NULL */
  const gchar *bitrate_prop;
  guint bitrate_divisor;        /* property unit = bits/s / divisor */
  const gchar *parser;          /* for encoded input, or NULL */
  const gchar *payloader;
  const gchar *payloader_args;
  const gchar *depayloader;
  const gchar *decoder;
  gint clock_rate;
  gint default_pt;
  const gchar *rtp_caps_extra;  /* extra fields of the RTP caps */
} GstWebRTCRoomCodec;

const GstWebRTCRoomCodec *gst_webrtc_room_codec_find (const gchar * name);
const GstWebRTCRoomCodec *gst_webrtc_room_codec_for_encoded_caps (const GstCaps * caps);
const GstWebRTCRoomCodec *gst_webrtc_room_codec_for_rtp_caps (const GstCaps * caps);
const GstWebRTCRoomCodec *gst_webrtc_room_codec_get (guint index);

gchar *gst_webrtc_room_codec_missing_element (const GstWebRTCRoomCodec * codec,
    gboolean sending);

GstCaps *gst_webrtc_room_codec_rtp_caps (const GstWebRTCRoomCodec * codec,
    gint pt);

GstCaps *gst_webrtc_room_codecs_receive_caps (const gchar * media);

gint gst_webrtc_room_codec_find_pt_full (const GstWebRTCRoomCodec * codec,
    const GstSDPMedia * media, gchar ** profile_level_id);

gint gst_webrtc_room_codec_find_pt (const GstWebRTCRoomCodec * codec,
    const GstSDPMedia * media);

GstElement *gst_webrtc_room_codec_make_encoder (const GstWebRTCRoomCodec * codec,
    guint bitrate);

void gst_webrtc_room_set_object_args (GObject * object, const gchar * args);

G_END_DECLS
