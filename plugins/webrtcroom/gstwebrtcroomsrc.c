/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-webrtcroomsrc
 * @title: webrtcroomsrc
 *
 * Receive-only #GstWebRTCRoomBaseBin: one sometimes src pad per remote
 * track (`video_<peer id>_<n>`, `audio_<peer id>_<n>`). Tracks whose pad is
 * left unlinked are dropped, so a gst-launch line may link only the video.
 *
 * It has the receiving properties (decode, latency) and none of the sending
 * ones; it announces `"sends": []` when joining, so viewers never connect
 * to each other (N viewers of one publisher make N peer connections, not
 * N(N-1)/2). Bus messages (`webrtcroom-*`): see #GstWebRTCRoomBaseBin.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 webrtcroomsrc room=demo ! videoconvert ! autovideosink
 * ]| Watch room demo.
 * |[
 * gst-launch-1.0 webrtcroomsrc room=demo decode=false ! queue ! matroskamux ! \
 *     filesink location=room.mkv
 * ]| Record the first remote video of room demo without re-encoding.
 */

#include "gstwebrtcroomsrc.h"

GST_DEBUG_CATEGORY_STATIC (gst_webrtc_room_src_debug);

struct _GstWebRTCRoomSrc
{
  GstWebRTCRoomBaseBin parent;
};

G_DEFINE_TYPE (GstWebRTCRoomSrc, gst_webrtc_room_src,
    GST_TYPE_WEBRTC_ROOM_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE (webrtcroomsrc, "webrtcroomsrc", GST_RANK_NONE,
    GST_TYPE_WEBRTC_ROOM_SRC);

static void
gst_webrtc_room_src_init (GstWebRTCRoomSrc * self)
{
}

static void
gst_webrtc_room_src_class_init (GstWebRTCRoomSrcClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_webrtc_room_src_debug, "webrtcroomsrc", 0,
      "WebRTC room source");
  gst_webrtc_room_base_bin_class_set_mode (GST_WEBRTC_ROOM_BASE_BIN_CLASS
      (klass), GST_WEBRTC_ROOM_MEDIA_RECVONLY);
  gst_element_class_set_static_metadata (element_class, "WebRTC room source",
      "Source/Network/WebRTC",
      "Receives audio and video from every peer of a room",
      "gst-webrtc-rooms authors");
}
