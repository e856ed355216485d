/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-webrtcroombin
 * @title: webrtcroombin
 *
 * Joins a room of a webrtc-room-server and talks WebRTC with every peer in
 * it: each request sink pad (`video_%u`, `audio_%u`) is encoded once and
 * sent to all peers; each remote track appears as a sometimes src pad
 * named `video_<peer id>_<n>` or `audio_<peer id>_<n>`, decoded unless
 * #GstWebRTCRoomBaseBin:decode is %FALSE. One peer connection per remote
 * peer carries both directions.
 *
 * It has the sending (video-codec, audio-codec, bitrate, fec) and the
 * receiving (decode, latency) properties. Bus messages (`webrtcroom-*`):
 * see #GstWebRTCRoomBaseBin.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 webrtcroombin name=call room=demo local-addresses=127.0.0.1 \
 *     videotestsrc is-live=true ! video/x-raw,width=640,height=480 ! call.video_0 \
 *     audiotestsrc is-live=true ! call.audio_0 \
 *     call. ! queue ! videoconvert ! autovideosink
 * ]| A two-way call: our test video and audio go to every peer of room
 * demo, the first remote video is shown.
 */

#include "gstwebrtcroombin.h"

GST_DEBUG_CATEGORY_STATIC (gst_webrtc_room_bin_debug);

struct _GstWebRTCRoomBin
{
  GstWebRTCRoomBaseBin parent;
};

G_DEFINE_TYPE (GstWebRTCRoomBin, gst_webrtc_room_bin,
    GST_TYPE_WEBRTC_ROOM_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcroombin, "webrtcroombin", GST_RANK_NONE,
    GST_TYPE_WEBRTC_ROOM_BIN);

static void
gst_webrtc_room_bin_init (GstWebRTCRoomBin * self)
{
}

static void
gst_webrtc_room_bin_class_init (GstWebRTCRoomBinClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_webrtc_room_bin_debug, "webrtcroombin", 0,
      "WebRTC room bin");
  gst_webrtc_room_base_bin_class_set_mode (GST_WEBRTC_ROOM_BASE_BIN_CLASS
      (klass), GST_WEBRTC_ROOM_MEDIA_SENDRECV);
  gst_element_class_set_static_metadata (element_class, "WebRTC room bin",
      "Filter/Network/WebRTC",
      "Sends and receives audio and video with every peer of a room",
      "gst-webrtc-rooms authors");
}
