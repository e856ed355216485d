/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room bin's functions for the other files of the bin: roomsessions.c
 * (the room, roomsessions-private.h) and media.c (per-peer send branches,
 * receive branches). The bin's own state is private to roombin.c, its
 * settings to roombin-props.c (roombin-settings-private.h). The send side
 * of one track is its own unit (sendpath-private.h), as is one peer
 * session (peersession-private.h). */

#pragma once

#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>

#include "roombin.h"
#include "codecs-private.h"
#include "peersession-private.h"
#include "sendpath-private.h"

G_BEGIN_DECLS GST_DEBUG_CATEGORY_EXTERN (gst_webrtc_room_debug);
#define GST_CAT_DEFAULT gst_webrtc_room_debug


void gst_webrtc_room_peer_role_from_meta (GstWebRTCRoomPeerRole * role,
    JsonObject * meta);
gboolean gst_webrtc_room_peer_role_sends (const GstWebRTCRoomPeerRole * role,
    const gchar * kind);
gboolean gst_webrtc_room_peer_roles_connect (const GstWebRTCRoomPeerRole * a,
    const GstWebRTCRoomPeerRole * b);

/* roombin.c: for the room (roomsessions.c) */
void gst_webrtc_room_base_bin_emit_peer_joined (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * name);
void gst_webrtc_room_base_bin_emit_peer_left (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * reason);
void gst_webrtc_room_base_bin_set_peer_id (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id);
void gst_webrtc_room_base_bin_post_peer_message (GstWebRTCRoomBaseBin * self,
    const gchar * what, const gchar * peer_id, const gchar * first_field, ...);

/* media.c: the bin's media for one peer session */
typedef struct
{
  /* GstWebRTCRoomSendPath* -> GstElement* (the branch queue) */
  GHashTable *branches;
  guint n_src_pads;
  GPtrArray *recv_elements;     /* GstElement*, owned by the bin */
  GPtrArray *src_pads;          /* ghost pads we added to the bin */
  GPtrArray *kept_pads;         /* src pads of the connection this one
                                 * replaced, still linked downstream,
                                 * waiting for a track of their kind */
  GMutex recv_lock;             /* guards the two arrays above */
} GstWebRTCRoomPeerMedia;

GstWebRTCRoomPeerMedia *gst_webrtc_room_peer_media_new (void);
void gst_webrtc_room_peer_media_free (GstWebRTCRoomPeerMedia * m);
gboolean gst_webrtc_room_media_attach_send (GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer, guint * n_added, GError ** error);
void gst_webrtc_room_media_add_receive_transceivers (GstWebRTCRoomPeerSession *
    s);
void gst_webrtc_room_media_add_receive_transceiver (GstWebRTCRoomPeerSession *
    s, const gchar * kind);
void
gst_webrtc_room_media_configure_answer_transceivers (GstWebRTCRoomPeerSession *
    s, const GstSDPMessage * offer);
void gst_webrtc_room_media_on_src_pad (GstWebRTCRoomPeerSession * s,
    GstPad * pad);
gboolean gst_webrtc_room_media_detach_input (GstWebRTCRoomPeerSession * s,
    GstWebRTCRoomSendPath * input);
void gst_webrtc_room_media_detach_send (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_media_detach_recv (GstWebRTCRoomPeerSession * s);
GPtrArray *gst_webrtc_room_media_take_src_pads (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_media_flush_start (GstWebRTCRoomBaseBin * bin,
    GPtrArray * src_pads);
void gst_webrtc_room_media_flush_stop (GstPad * ghost);

/* roombin.c: for the room and media.c */
GstWebRTCRoomMediaMode gst_webrtc_room_base_bin_get_mode (GstWebRTCRoomBaseBin *
    self);
GPtrArray *gst_webrtc_room_base_bin_dup_inputs (GstWebRTCRoomBaseBin * self);
gboolean gst_webrtc_room_base_bin_attach (GstWebRTCRoomBaseBin * self,
    GSource * source);
void gst_webrtc_room_base_bin_invoke (GstWebRTCRoomBaseBin * self,
    GSourceFunc func, gpointer data, GDestroyNotify notify);
gboolean gst_webrtc_room_base_bin_get_decode (GstWebRTCRoomBaseBin * self);
gboolean gst_webrtc_room_base_bin_heads_for_playing (GstWebRTCRoomBaseBin *
    self);
void gst_webrtc_room_base_bin_add_src_pad (GstWebRTCRoomBaseBin * self,
    GstPad * pad);
/* any thread: sessions waiting for an input or for caps look again */
void gst_webrtc_room_base_bin_recheck_waits (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_session_state_changed (GstWebRTCRoomBaseBin *
    self, GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_base_bin_session_error (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * text, const gchar * debug);
void gst_webrtc_room_base_bin_session_fail (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const GError * error);
void gst_webrtc_room_base_bin_get_own_role (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerRole * role);
void gst_webrtc_room_base_bin_data_received (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * text);

G_END_DECLS
