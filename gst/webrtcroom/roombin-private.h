/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internals shared by roombin.c (element, signalling thread, peers),
 * roomsessions.c (the room's peer sessions) and media.c (per-peer send
 * branches, receive branches). The send side of one track is its own unit
 * (sendpath-private.h), as is one peer session (peersession-private.h). */

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

typedef struct
{
  /* properties, under the object lock */
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
  gchar *peer_id;

  /* the signalling thread */
  GThread *thread;
  GMainContext *context;        /* written under context_lock */
  GMutex context_lock;
  GMainLoop *loop;
  GstWebRTCRoomSignaller *signaller;
  gboolean custom_signaller;
  gboolean joined;
  GSource *watchdog;            /* media watchdog tick */
  gboolean warned_turns;        /* the turns:// warning was posted */

  /* under lock: touched from the context thread and from pad requests */
  GMutex lock;
  GHashTable *sessions;         /* peer id -> GstWebRTCRoomPeerSession* */
  GHashTable *peer_names;       /* peer id -> name, members seen */
  GHashTable *refused;          /* peer ids refused for max-peers */
  GHashTable *peer_roles;       /* peer id -> GstWebRTCRoomPeerRole* */
  GPtrArray *inputs;            /* GstWebRTCRoomSendPath* */
  JsonArray *ice_servers;       /* from welcome */
  guint next_pad[2];
} GstWebRTCRoomBaseBinPrivate;

GstWebRTCRoomBaseBinPrivate
    * gst_webrtc_room_base_bin_get_priv (GstWebRTCRoomBaseBin * self);
#define PRIV(self) gst_webrtc_room_base_bin_get_priv (self)

/* Defaults of the properties (roombin-props.c) the instance starts with */
#define DEFAULT_SERVER_URL GST_WEBRTC_ROOM_DEFAULT_SERVER_URL
#define DEFAULT_ROOM "default"
#define DEFAULT_OFFERS TRUE
#define DEFAULT_POLICY GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL
#define DEFAULT_UPNP FALSE
#define DEFAULT_ICE_TCP TRUE
#define DEFAULT_VIDEO_CODEC "VP8"
#define DEFAULT_VIDEO_CODEC_ENUM GST_WEBRTC_ROOM_VIDEO_CODEC_VP8
#define DEFAULT_AUDIO_CODEC "OPUS"
#define DEFAULT_AUDIO_CODEC_ENUM GST_WEBRTC_ROOM_AUDIO_CODEC_OPUS
#define DEFAULT_BITRATE 1000000
#define DEFAULT_LATENCY 50
#define DEFAULT_DECODE TRUE
#define DEFAULT_NACK TRUE
#define DEFAULT_FEC FALSE
#define DEFAULT_MEDIA_TIMEOUT 2000
/* every peer connection costs a webrtcbin and its threads; a publisher
 * feeding 50 viewers (tests/bench/elements-broadcast.sh) stays within it */
#define DEFAULT_MAX_PEERS 64
#define DEFAULT_DATA_CHANNELS FALSE

/* roombin-props.c */
void gst_webrtc_room_base_bin_install_properties (GObjectClass * gobject_class);
void gst_webrtc_room_base_bin_install_media_properties (GObjectClass *
    gobject_class, GstWebRTCRoomMediaMode mode);
gboolean gst_webrtc_room_base_bin_check_settings (GstWebRTCRoomBaseBin * self);

/* roomsessions.c: on the signalling thread */
void gst_webrtc_room_base_bin_start_signalling (GstWebRTCRoomBaseBin * self,
    gpointer unused);
void gst_webrtc_room_base_bin_stop_signalling (GstWebRTCRoomBaseBin * self,
    gpointer unused);
void gst_webrtc_room_base_bin_renegotiate_all (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_recheck_waits (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_detach_input (GstWebRTCRoomBaseBin * self,
    gpointer input);

/* roombin.c: for roomsessions.c */
void gst_webrtc_room_base_bin_emit_peer_joined (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * name);
void gst_webrtc_room_base_bin_emit_peer_left (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * reason);
void gst_webrtc_room_base_bin_notify_peer_id (GstWebRTCRoomBaseBin * self);
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
void gst_webrtc_room_media_flush_start (GPtrArray * src_pads);

/* roombin.c: called by sessions */
GstWebRTCRoomMediaMode gst_webrtc_room_base_bin_get_mode (GstWebRTCRoomBaseBin *
    self);
GPtrArray *gst_webrtc_room_base_bin_dup_inputs (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_send_signal (GstWebRTCRoomBaseBin * self,
    const gchar * to, JsonObject * data);
gboolean gst_webrtc_room_base_bin_attach (GstWebRTCRoomBaseBin * self,
    GSource * source);
void gst_webrtc_room_base_bin_invoke (GstWebRTCRoomBaseBin * self,
    GSourceFunc func, gpointer data, GDestroyNotify notify);
gboolean gst_webrtc_room_base_bin_get_decode (GstWebRTCRoomBaseBin * self);
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
GstWebRTCRoomPeerSession
    * gst_webrtc_room_base_bin_lookup_session (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id);
void gst_webrtc_room_base_bin_restart_session (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * reason, gint64 silent_ms);

G_END_DECLS
