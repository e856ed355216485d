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
#include <gst/webrtcroom/webrtcroom-prelude.h>
#include <gst/webrtcroom/signaller.h>

G_BEGIN_DECLS

/**
 * GstWebRTCRoomMediaMode:
 * @GST_WEBRTC_ROOM_MEDIA_SENDRECV: send our sink pads, receive remote tracks
 * @GST_WEBRTC_ROOM_MEDIA_SENDONLY: send only (webrtcroomsink)
 * @GST_WEBRTC_ROOM_MEDIA_RECVONLY: receive only (webrtcroomsrc)
 */
typedef enum /*< underscore_name=gst_webrtc_room_media_mode >*/
{
  GST_WEBRTC_ROOM_MEDIA_SENDRECV,
  GST_WEBRTC_ROOM_MEDIA_SENDONLY,
  GST_WEBRTC_ROOM_MEDIA_RECVONLY,
} GstWebRTCRoomMediaMode;

/**
 * GstWebRTCRoomVideoCodec:
 * @GST_WEBRTC_ROOM_VIDEO_CODEC_VP8: VP8 (vp8enc)
 * @GST_WEBRTC_ROOM_VIDEO_CODEC_VP9: VP9 (vp9enc)
 * @GST_WEBRTC_ROOM_VIDEO_CODEC_H264: H264 constrained baseline (x264enc)
 * @GST_WEBRTC_ROOM_VIDEO_CODEC_AV1: AV1 (needs rtpav1pay, not in 1.22)
 *
 * The codec raw video is encoded to.
 */
typedef enum /*< underscore_name=gst_webrtc_room_video_codec >*/
{
  GST_WEBRTC_ROOM_VIDEO_CODEC_VP8,      /*< nick=VP8 >*/
  GST_WEBRTC_ROOM_VIDEO_CODEC_VP9,      /*< nick=VP9 >*/
  GST_WEBRTC_ROOM_VIDEO_CODEC_H264,     /*< nick=H264 >*/
  GST_WEBRTC_ROOM_VIDEO_CODEC_AV1,      /*< nick=AV1 >*/
} GstWebRTCRoomVideoCodec;

/**
 * GstWebRTCRoomAudioCodec:
 * @GST_WEBRTC_ROOM_AUDIO_CODEC_OPUS: Opus (opusenc)
 *
 * The codec raw audio is encoded to.
 */
typedef enum /*< underscore_name=gst_webrtc_room_audio_codec >*/
{
  GST_WEBRTC_ROOM_AUDIO_CODEC_OPUS,     /*< nick=OPUS >*/
} GstWebRTCRoomAudioCodec;

#define GST_TYPE_WEBRTC_ROOM_BASE_BIN (gst_webrtc_room_base_bin_get_type ())
GST_WEBRTC_ROOM_API
G_DECLARE_DERIVABLE_TYPE (GstWebRTCRoomBaseBin, gst_webrtc_room_base_bin,
    GST, WEBRTC_ROOM_BASE_BIN, GstBin)

/**
 * GstWebRTCRoomBaseBinClass:
 * @media_mode: which directions the subclass carries
 *
 * The base class of webrtcroombin, webrtcroomsink and webrtcroomsrc: it
 * joins a room through a #GstWebRTCRoomSignaller and keeps one webrtcbin
 * per remote peer, fed from one encoder per sink pad.
 */
struct _GstWebRTCRoomBaseBinClass
{
  GstBinClass parent_class;

  GstWebRTCRoomMediaMode media_mode;

  gpointer padding[8];
};

GST_WEBRTC_ROOM_API
void gst_webrtc_room_base_bin_class_set_mode (GstWebRTCRoomBaseBinClass * klass,
    GstWebRTCRoomMediaMode mode);

GST_WEBRTC_ROOM_API
GstStructure *gst_webrtc_room_base_bin_get_stats (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id);

GST_WEBRTC_ROOM_API
gboolean gst_webrtc_room_base_bin_send_data (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * text);

GST_WEBRTC_ROOM_API
void gst_webrtc_room_base_bin_set_signaller (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomSignaller * signaller);

G_END_DECLS
