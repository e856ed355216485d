/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room as the bin sees it (roomsessions.c): the signaller connection,
 * who is in the room (names, roles, who was refused for max-peers) and one
 * peer session per remote peer we connect to. The bin makes one at init
 * and frees it at finalize; the room talks back through the bin's
 * functions in roombin-private.h. Unless marked "any thread", functions
 * run on the bin's signalling thread.
 *
 * Locks: the room's own lock guards its tables, its signaller and whether
 * it joined. It is a leaf: never held while calling out (the bin, a peer
 * session, webrtcbin, the signaller), nor together with the bin's object
 * lock or its input lock. */

#pragma once

#include <gst/webrtc/webrtc.h>

#include "roombin.h"
#include "roombin-settings-private.h"
#include "sendpath-private.h"

G_BEGIN_DECLS

typedef struct _GstWebRTCRoomSessions GstWebRTCRoomSessions;

GstWebRTCRoomSessions *gst_webrtc_room_sessions_new (GstWebRTCRoomBaseBin *
    bin);
void gst_webrtc_room_sessions_free (GstWebRTCRoomSessions * self);

/* Joins with a copy of @settings, kept until the next join */
void gst_webrtc_room_sessions_start (GstWebRTCRoomSessions * self,
    const GstWebRTCRoomSettings * settings);
/* Leaves: the signaller stops, every peer session is closed */
void gst_webrtc_room_sessions_stop (GstWebRTCRoomSessions * self);
/* A track was added: offer it to every peer */
void gst_webrtc_room_sessions_renegotiate_all (GstWebRTCRoomSessions * self);
/* A track is going: its branches go, then every peer is offered again */
void gst_webrtc_room_sessions_detach_input (GstWebRTCRoomSessions * self,
    GstWebRTCRoomSendPath * input);

/* Any thread */
gboolean gst_webrtc_room_sessions_is_joined (GstWebRTCRoomSessions * self);
/* an input chain was built or caps reached a peer connection: sessions
 * waiting for that go on without waiting for their next poll */
void gst_webrtc_room_sessions_recheck_waits (GstWebRTCRoomSessions * self);
/* ids of the peers with a session, all or only @peer_id (may be NULL) */
GPtrArray *gst_webrtc_room_sessions_dup_peer_ids (GstWebRTCRoomSessions *
    self, const gchar * peer_id);
/* a ref to the webrtcbin of @peer_id's session, or NULL */
GstElement *gst_webrtc_room_sessions_dup_webrtcbin (GstWebRTCRoomSessions *
    self, const gchar * peer_id);
/* the data channels (refs) of every session, or only of @peer_id's */
GPtrArray *gst_webrtc_room_sessions_dup_channels (GstWebRTCRoomSessions *
    self, const gchar * peer_id);

/* media.c: the bin whose room runs @s (the host of every peer session) */
GstWebRTCRoomBaseBin *gst_webrtc_room_sessions_get_bin (GstWebRTCRoomSessions
    * self);

G_END_DECLS
