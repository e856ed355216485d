/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-webrtcroomsink
 * @title: webrtcroomsink
 *
 * Send-only #GstWebRTCRoomBaseBin: publishes its sink pads to every peer of
 * the room (encoded once, whatever the number of viewers) and receives
 * nothing. Raw input is encoded with #GstWebRTCRoomBaseBin:video-codec /
 * #GstWebRTCRoomBaseBin:audio-codec; encoded input is sent as it is.
 *
 * It has the sending properties (video-codec, audio-codec, bitrate, fec)
 * and none of the receiving ones; it announces `"receives": false` when
 * joining, so other publishers never connect to it and viewers ask it for
 * exactly its tracks. Bus messages (`webrtcroom-*`): see
 * #GstWebRTCRoomBaseBin. With `gst-launch-1.0 -e`, Ctrl-C sends EOS
 * through the element and the pipeline ends.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! webrtcroomsink room=demo
 * ]| Publish a camera to room demo.
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! x264enc tune=zerolatency ! \
 *     webrtcroomsink room=demo local-addresses=127.0.0.1
 * ]| Publish already-encoded H264, not re-encoded.
 */

#include "gstwebrtcroomsink.h"

GST_DEBUG_CATEGORY_STATIC (gst_webrtc_room_sink_debug);

struct _GstWebRTCRoomSink
{
  GstWebRTCRoomBaseBin parent;
};

G_DEFINE_TYPE (GstWebRTCRoomSink, gst_webrtc_room_sink,
    GST_TYPE_WEBRTC_ROOM_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcroomsink, "webrtcroomsink", GST_RANK_NONE,
    GST_TYPE_WEBRTC_ROOM_SINK);

static void
gst_webrtc_room_sink_init (GstWebRTCRoomSink * self)
{
}

static void
gst_webrtc_room_sink_class_init (GstWebRTCRoomSinkClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_webrtc_room_sink_debug, "webrtcroomsink", 0,
      "WebRTC room sink");
  gst_webrtc_room_base_bin_class_set_mode (GST_WEBRTC_ROOM_BASE_BIN_CLASS
      (klass), GST_WEBRTC_ROOM_MEDIA_SENDONLY);
  gst_element_class_set_static_metadata (element_class, "WebRTC room sink",
      "Sink/Network/WebRTC",
      "Publishes audio and video to every peer of a room",
      "gst-webrtc-rooms authors");
}
