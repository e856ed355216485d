/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room bin's settings: what its properties (roombin-props.c: specs,
 * defaults, get/set, checks) and gst_webrtc_room_base_bin_set_signaller()
 * set. The bin keeps one under its object lock; the room
 * (roomsessions-private.h) joins with a copy of it. */

#pragma once

#include <gst/webrtc/webrtc.h>

#include "roombin.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *server_url;
  gchar *room;
  gchar *display_name;
  gchar *meta;
  gboolean offers;
  gchar *token;
  gchar *stun_server;
  gchar *turn_servers;
  GstWebRTCICETransportPolicy policy;
  gchar *local_addresses;
  gboolean upnp;
  gboolean ice_tcp;
  gchar *video_codec;
  gchar *audio_codec;
  guint bitrate;
  guint latency;
  gboolean decode;
  gboolean nack;
  gboolean fec;
  guint media_timeout;
  guint max_peers;
  gboolean data_channels;
  gchar *ca_file;
  gboolean tls_insecure;
  /* the application's transport; NULL: one made from server_url */
  GstWebRTCRoomSignaller *signaller;
} GstWebRTCRoomSettings;

/* roombin-props.c */
void gst_webrtc_room_settings_init (GstWebRTCRoomSettings * settings);
void gst_webrtc_room_settings_copy (GstWebRTCRoomSettings * dest,
    const GstWebRTCRoomSettings * src);
void gst_webrtc_room_settings_clear (GstWebRTCRoomSettings * settings);

void gst_webrtc_room_base_bin_install_properties (GObjectClass * gobject_class);
void gst_webrtc_room_base_bin_install_media_properties (GObjectClass *
    gobject_class, GstWebRTCRoomMediaMode mode);
gboolean gst_webrtc_room_base_bin_check_settings (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_notify_peer_id (GstWebRTCRoomBaseBin * self);

/* roombin.c: the bin's settings, read and written under its object lock */
GstWebRTCRoomSettings *gst_webrtc_room_base_bin_get_settings
    (GstWebRTCRoomBaseBin * self);
/* our id in the room (the peer-id property); any thread */
gchar *gst_webrtc_room_base_bin_dup_peer_id (GstWebRTCRoomBaseBin * self);

G_END_DECLS
