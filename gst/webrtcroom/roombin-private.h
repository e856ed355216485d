/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Internals shared by roombin.c (element, signalling thread, peers),
 * media.c (encoders, per-peer send branches, receive branches) and
 * peersession.c (one webrtcbin and its negotiation). */

#pragma once

#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>

#include "roombin.h"
#include "codecs-private.h"

G_BEGIN_DECLS GST_DEBUG_CATEGORY_EXTERN (gst_webrtc_room_debug);
#define GST_CAT_DEFAULT gst_webrtc_room_debug

typedef struct _GstWebRTCRoomSendInput GstWebRTCRoomSendInput;
typedef struct _GstWebRTCRoomPeerSession GstWebRTCRoomPeerSession;

/* Failures of one peer connection, in the library's peer error domain:
 * the code, never the message text, decides how loud they are. */
#define GST_WEBRTC_ROOM_PEER_ERROR (gst_webrtc_room_peer_error_quark ())
GQuark gst_webrtc_room_peer_error_quark (void);

typedef enum
{
  /* a track of ours has no codec the peer accepts: that peer goes without
   * it, everyone else is unaffected (a warning) */
  GST_WEBRTC_ROOM_PEER_ERROR_CODEC_NOT_NEGOTIABLE,
  /* a send branch could not be linked to the peer connection */
  GST_WEBRTC_ROOM_PEER_ERROR_LINK,
  /* an element needed for sending is not installed (an element error:
   * every peer is affected) */
  GST_WEBRTC_ROOM_PEER_ERROR_MISSING_ELEMENT,
} GstWebRTCRoomPeerError;

/* What a peer sends and receives, announced in its join `meta`
 * (docs/protocol.md "Roles"); a peer without these keys (a browser) sends
 * both kinds and receives. */
typedef struct
{
  gboolean sends_video;
  gboolean sends_audio;
  gboolean receives;
  gboolean data;                /* asked for data channels */
  /* a WHIP/WHEP session of the room server (meta `for`): the id of the
   * one member it is for, "" for an ordinary peer */
  gchar gateway_for[24];
  /* a WHIP/WHEP endpoint or session (meta `gateway`): no data channel */
  gboolean gateway;
} GstWebRTCRoomPeerRole;

#define GST_WEBRTC_ROOM_PEER_ROLE_DEFAULT { TRUE, TRUE, TRUE, FALSE, "", FALSE }

void gst_webrtc_room_peer_role_from_meta (GstWebRTCRoomPeerRole * role,
    JsonObject * meta);
gboolean gst_webrtc_room_peer_role_sends (const GstWebRTCRoomPeerRole * role,
    const gchar * kind);
gboolean gst_webrtc_room_peer_roles_connect (const GstWebRTCRoomPeerRole * a,
    const GstWebRTCRoomPeerRole * b);

/* One request sink pad: queue -> (convert -> encoder | parser) -> tee. */
struct _GstWebRTCRoomSendInput
{
  GstWebRTCRoomBaseBin *bin;    /* not a ref */
  gchar *media;                 /* "video" or "audio" */
  GstPad *ghost;
  GstElement *queue;
  GstElement *tee;
  GstElement *encoder;          /* NULL for pre-encoded input */
  const GstWebRTCRoomCodec *codec;
  gboolean chain_built;
  gboolean eos;
};

/* Snapshot of the ICE/transport settings a new webrtcbin needs. */
typedef struct
{
  gchar *stun_server;           /* stun://host:port or NULL */
  GStrv turn_servers;           /* turn(s)://user:pass@host:port */
  GstWebRTCICETransportPolicy ice_transport_policy;
  GStrv local_addresses;
  gboolean upnp;
  gboolean ice_tcp;
  guint latency;
  gboolean nack;
  gboolean fec;
} GstWebRTCRoomIceConfig;

void gst_webrtc_room_ice_config_clear (GstWebRTCRoomIceConfig * config);

struct _GstWebRTCRoomPeerSession
{
  GstWebRTCRoomBaseBin *bin;    /* not a ref: the bin outlives sessions */
  gchar *peer_id;
  gchar *name;
  GstWebRTCRoomPeerRole remote_role;    /* what the peer sends/receives */
  gboolean polite;
  GstElement *webrtcbin;
  GstWebRTCDataChannel *channel;

  /* negotiation, touched on the bin's signalling context only */
  gboolean making_offer;
  gboolean answering;
  gboolean remote_set;
  gboolean renegotiate;
  gboolean initial_done;
  gboolean offered_first;       /* we made the initial offer */
  gboolean force_offer;         /* the peer asked us to offer again */
  GPtrArray *requested_kinds;   /* new m-lines it asked for ("audio"...) */
  gboolean closed;
  GPtrArray *pending_candidates;        /* GstWebRTCRoomSignalPayload* */
  guint remote_candidates;      /* taken for this connection (bounded) */
  gboolean candidates_dropped;  /* the bound was hit (warned once) */
  GSource *caps_wait;
  guint caps_wait_rounds;

  /* GstWebRTCRoomSendInput* -> GstElement* (the branch queue) */
  GHashTable *branches;
  guint n_src_pads;
  GPtrArray *recv_elements;     /* GstElement*, owned by the bin */
  GPtrArray *src_pads;          /* ghost pads we added to the bin */
  GPtrArray *kept_pads;         /* src pads of the connection this one
                                 * replaced, still linked downstream,
                                 * waiting for a track of their kind */
  GMutex recv_lock;             /* guards the two arrays above */
  GstWebRTCPeerConnectionState connection_state;

  /* media watchdog: last_rx_ms is written by nicesrc's streaming thread
   * (atomic): ms since created_us of the last RTP or RTCP packet
   * received, -1 before the first one */
  gint64 created_us;
  gint last_rx_ms;
  gboolean nack;
  gboolean fec;
  guint restarts;               /* times this peer's connection was replaced */
  gboolean restart_offer;       /* our next offer replaces a dead connection */
  gint64 restart_sent_us;       /* when that offer went out, 0 once answered */
  gint64 remote_replace_us;     /* this connection replaced one on the
                                 * peer's offer (restart, glare), then */
};

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
  GMainContext *context;
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
  GPtrArray *inputs;            /* GstWebRTCRoomSendInput* */
  JsonArray *ice_servers;       /* from welcome */
  guint next_pad[2];
} GstWebRTCRoomBaseBinPrivate;

GstWebRTCRoomBaseBinPrivate
    * gst_webrtc_room_base_bin_get_priv (GstWebRTCRoomBaseBin * self);
#define PRIV(self) gst_webrtc_room_base_bin_get_priv (self)

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

/* peersession.c */
GstWebRTCRoomPeerSession *gst_webrtc_room_peer_session_new (GstWebRTCRoomBaseBin
    * bin, const gchar * peer_id, const gchar * name, const gchar * own_id,
    const GstWebRTCRoomIceConfig * config);
void gst_webrtc_room_peer_session_negotiate (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_peer_session_recheck (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_peer_session_handle_payload (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * payload);
gboolean gst_webrtc_room_peer_session_send_text (GstWebRTCRoomPeerSession * s,
    const gchar * text);
GstStructure *gst_webrtc_room_webrtcbin_get_stats (GstElement * webrtcbin,
    guint timeout_ms);
void gst_webrtc_room_peer_session_close (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_peer_session_free (GstWebRTCRoomPeerSession * s);
void
gst_webrtc_room_peer_session_configure_transceiver (GstWebRTCRoomPeerSession *
    s, GstWebRTCRTPTransceiver * trans, const gchar * media);
const gchar *gst_webrtc_room_peer_session_check_media (GstWebRTCRoomPeerSession
    * s, guint timeout_ms, gint64 * silent_ms);

/* media.c */
GstWebRTCRoomSendInput *gst_webrtc_room_send_input_new (GstWebRTCRoomBaseBin *
    bin, GstPadTemplate * templ, const gchar * name);
void gst_webrtc_room_send_input_free (GstWebRTCRoomSendInput * input);
void gst_webrtc_room_send_input_force_key_unit (GstWebRTCRoomSendInput * input);
gboolean gst_webrtc_room_media_attach_send (GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer, GError ** error);
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
    GstWebRTCRoomSendInput * input);
void gst_webrtc_room_media_detach_send (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_media_detach_recv (GstWebRTCRoomPeerSession * s);
GPtrArray *gst_webrtc_room_media_take_src_pads (GstWebRTCRoomPeerSession * s);

/* roombin.c: called by sessions */
GstWebRTCRoomMediaMode gst_webrtc_room_base_bin_get_mode (GstWebRTCRoomBaseBin *
    self);
GPtrArray *gst_webrtc_room_base_bin_dup_inputs (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_send_signal (GstWebRTCRoomBaseBin * self,
    const gchar * to, JsonObject * data);
void gst_webrtc_room_base_bin_invoke (GstWebRTCRoomBaseBin * self,
    GSourceFunc func, gpointer data, GDestroyNotify notify);
GMainContext *gst_webrtc_room_base_bin_get_context (GstWebRTCRoomBaseBin *
    self);
gboolean gst_webrtc_room_base_bin_get_decode (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_session_state_changed (GstWebRTCRoomBaseBin *
    self, GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_base_bin_session_error (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * text, const gchar * debug);
void gst_webrtc_room_base_bin_session_fail (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const GError * error);
void gst_webrtc_room_base_bin_get_own_role (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerRole * role);
void gst_webrtc_room_base_bin_input_eos (GstWebRTCRoomBaseBin * self);
void gst_webrtc_room_base_bin_data_received (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * text);
GstWebRTCRoomPeerSession
    * gst_webrtc_room_base_bin_lookup_session (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id);
GstWebRTCRoomPeerSession
    * gst_webrtc_room_base_bin_replace_session (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_base_bin_restart_session (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * reason, gint64 silent_ms);

G_END_DECLS
