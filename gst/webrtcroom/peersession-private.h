/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One remote peer: a webrtcbin and its negotiation (peersession.c), run
 * by a host through GstWebRTCRoomPeerHost. peersession.c knows nothing of
 * the room bin; the bin's media.c still reads the receive and send-branch
 * fields of the struct below. */

#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>
#include <json-glib/json-glib.h>

#include "roombin.h"
#include "protocol.h"

G_BEGIN_DECLS typedef struct _GstWebRTCRoomPeerSession GstWebRTCRoomPeerSession;

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
  /* webrtcbin refused a step of the negotiation, or the peer sent what
   * cannot be negotiated (a warning) */
  GST_WEBRTC_ROOM_PEER_ERROR_NEGOTIATION,
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


/* What a peer session needs from whoever runs it (the room bin, or a test
 * wiring two sessions to each other). Unless said otherwise every callback
 * runs on the host's signalling context (see @attach). */
typedef struct
{
  /* Attaches @source to the signalling context; FALSE when there is none
   * (stopped): the caller drops the source. Any thread. */
  gboolean (*attach) (gpointer host_data, GSource * source);
  /* The session of @peer_id, NULL once it is gone: replies of webrtcbin
   * come back by peer id. */
  GstWebRTCRoomPeerSession *(*lookup) (gpointer host_data,
      const gchar * peer_id);
  /* A signal payload for the peer. Any thread. */
  void (*send_signal) (gpointer host_data, const gchar * peer_id,
      JsonObject * payload);
  /* An element message: @fields (taken) is named after the event and
   * carries "peer-id". */
  void (*post_message) (gpointer host_data, GstStructure * fields);
  /* The connection state of @s changed */
  void (*state_changed) (gpointer host_data, GstWebRTCRoomPeerSession * s);
  /* A failure of this peer, in GST_WEBRTC_ROOM_PEER_ERROR; @debug may be
   * NULL. */
  void (*error) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      const GError * error, const gchar * debug);
  /* A data channel message. The SCTP thread. */
  void (*data_received) (gpointer host_data, const gchar * peer_id,
      const gchar * text);
  /* A track of the peer arrived on webrtcbin's @pad. A streaming thread. */
  void (*src_pad_added) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      GstPad * pad);
  /* The connection of @s is about to be replaced (restart, glare): keep
   * what must outlive it (src pads still linked downstream); the returned
   * token goes to @replace_end. */
    gpointer (*replace_begin) (gpointer host_data,
      GstWebRTCRoomPeerSession * s);
  /* The new connection is up (@ok), or could not be made (@s is closed) */
  void (*replace_end) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      gpointer token, gboolean ok);
  /* The ICE settings for a new connection (cleared by the session) */
  void (*ice_config) (gpointer host_data, GstWebRTCRoomIceConfig * config);

  /* The send side: TRUE once every input knows its codec */
    gboolean (*inputs_ready) (gpointer host_data);
  /* Links our tracks to @s (answering @offer, or offering when NULL);
   * @n_added (may be NULL): how many tracks were added by this call */
    gboolean (*attach_send) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      const GstSDPMessage * offer, guint * n_added, GError ** error);
  /* Kinds ("video", "audio") of our tracks not yet sent to @s: NULL
   * terminated, freed with g_strfreev */
    GStrv (*new_track_kinds) (gpointer host_data, GstWebRTCRoomPeerSession * s);
  /* Receive transceivers for an offer: every kind when @kind is NULL */
  void (*add_receive) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      const gchar * kind);
  /* Directions of the transceivers an answer to @offer creates */
  void (*configure_answer) (gpointer host_data, GstWebRTCRoomPeerSession * s,
      const GstSDPMessage * offer);
  /* Closing: unlinks our tracks from @s and stops its webrtcbin */
  void (*detach_send) (gpointer host_data, GstWebRTCRoomPeerSession * s);
  /* Closed (webrtcbin out of the container): drops the receive side */
  void (*detach_recv) (gpointer host_data, GstWebRTCRoomPeerSession * s);
} GstWebRTCRoomPeerHost;

/* Everything a new session is configured with. */
typedef struct
{
  GstBin *container;            /* the webrtcbin goes in here */
  const gchar *own_id;          /* decides who is polite; may be NULL */
  GstWebRTCRoomMediaMode mode;
  GstWebRTCRoomIceConfig ice;   /* latency, nack and fec included */
  GstWebRTCRoomPeerRole remote_role;    /* what the peer sends/receives */
  /* the host's media for this peer (send branches, receive pads), freed
   * with @media_free when the session is */
  gpointer media;
  GDestroyNotify media_free;
} GstWebRTCRoomPeerConfig;


GstWebRTCRoomPeerSession *gst_webrtc_room_peer_session_new (const
    GstWebRTCRoomPeerHost * host, gpointer host_data,
    const GstWebRTCRoomPeerConfig * config, const gchar * peer_id,
    const gchar * name);
gpointer gst_webrtc_room_peer_session_get_host_data (GstWebRTCRoomPeerSession *
    s);
void gst_webrtc_room_peer_session_negotiate (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_peer_session_add_ice_servers (GstWebRTCRoomPeerSession *
    s, const gchar * stun_server, GStrv turn_servers);
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


gboolean
gst_webrtc_room_peer_session_replace_connection (GstWebRTCRoomPeerSession * s);

/* Accessors for the host */
const gchar *gst_webrtc_room_peer_session_get_peer_id (GstWebRTCRoomPeerSession
    * s);
/* not a ref: valid while @s lives */
GstElement *gst_webrtc_room_peer_session_get_webrtcbin (GstWebRTCRoomPeerSession
    * s);
GstWebRTCDataChannel
    * gst_webrtc_room_peer_session_dup_channel (GstWebRTCRoomPeerSession * s);
GstWebRTCPeerConnectionState
gst_webrtc_room_peer_session_get_connection_state (GstWebRTCRoomPeerSession *
    s);
const GstWebRTCRoomPeerRole
    * gst_webrtc_room_peer_session_get_remote_role (GstWebRTCRoomPeerSession *
    s);
guint gst_webrtc_room_peer_session_get_restarts (GstWebRTCRoomPeerSession * s);
void gst_webrtc_room_peer_session_set_restarts (GstWebRTCRoomPeerSession * s,
    guint restarts);
/* GstWebRTCRoomPeerConfig.media */
gpointer gst_webrtc_room_peer_session_get_media (GstWebRTCRoomPeerSession * s);
/* made when the peer joined, its first offer not yet taken */
gboolean
gst_webrtc_room_peer_session_awaits_first_offer (GstWebRTCRoomPeerSession * s);
/* offer again even with no new track (a track was removed) */
void gst_webrtc_room_peer_session_negotiate_forced (GstWebRTCRoomPeerSession *
    s);
/* our next offer replaces a dead connection (the `restart` key) */
void gst_webrtc_room_peer_session_negotiate_restart (GstWebRTCRoomPeerSession *
    s);
/* offer again once the signalling state is stable */
void gst_webrtc_room_peer_session_renegotiate_later (GstWebRTCRoomPeerSession *
    s);

G_END_DECLS
