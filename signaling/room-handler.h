/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/webrtcroom/protocol.h>

G_BEGIN_DECLS
/* The room state machine of the server: no sockets, no clock. Every entry
 * point takes the current time (wall clock, microseconds) and appends what
 * must happen to an action list; the socket glue executes the actions in
 * order. A connection is known to the glue by an opaque handle. */
typedef struct _WrRoomHandler WrRoomHandler;
typedef struct _WrRoomConn WrRoomConn;

typedef struct
{
  guint max_peers_per_room;     /* 0: unlimited */
  gint64 resume_grace_us;
  gint64 join_timeout_us;       /* 0: no join timeout */
  gint64 resume_token_lifetime_s;
  GBytes *resume_secret;        /* required */
  GBytes *join_secret;          /* NULL: join tokens not required */
  JsonArray *ice_servers;       /* NULL: empty list */
  /* TURN servers with time-limited credentials, made for each welcome
   * from a secret shared with the TURN server (coturn use-auth-secret) */
  GStrv turn_rest_urls;         /* NULL: none */
  GBytes *turn_rest_secret;
  gint64 turn_rest_ttl_s;
  /* rooms shared with other servers through a broker (cluster-redis.c):
   * see "Cluster mode" below */
  gboolean cluster;
} WrRoomHandlerConfig;

typedef enum
{
  WR_ACTION_SEND,
  WR_ACTION_CLOSE,
  /* cluster mode only, for the broker (fields: see WrAction) */
  WR_ACTION_CLUSTER_LOAD,       /* room: follow its events, then snapshot */
  WR_ACTION_CLUSTER_UNLOAD,     /* room: no local member nor join left */
  WR_ACTION_CLUSTER_JOIN,       /* room, peer, gen, text, prev_gen, server */
  WR_ACTION_CLUSTER_LEAVE,      /* room, peer, code (the reason) */
  WR_ACTION_CLUSTER_SEND,       /* server, peer (the target), text */
  WR_ACTION_CLUSTER_BROADCAST,  /* room, peer (the sender), text */
  WR_ACTION_CLUSTER_SWEEP,      /* room, server (found gone) */
} WrActionType;

typedef struct
{
  WrActionType type;
  gpointer conn;                /* the handle given to wr_room_handler_connect */
  gchar *text;                  /* SEND, CLUSTER_*: a GRefString (a frame) */
  gushort code;                 /* CLOSE: WebSocket close code; LEAVE: a
                                 * GstWebRTCRoomPeerLeftReason */
  /* CLUSTER_*: owned strings */
  gchar *room;
  gchar *peer;
  gchar *server;                /* SEND: the target's server; JOIN: the
                                 * resume token's issuer (NULL: none) */
  gchar *gen;                   /* JOIN: the peer's new resume generation */
  gchar *prev_gen;              /* JOIN: the generation a resume presents */
} WrAction;

typedef enum
{
  WR_DISCONNECT_CLEAN,          /* close frame 1000/1001 */
  WR_DISCONNECT_LOST,           /* no close frame, any other code */
  WR_DISCONNECT_PING_TIMEOUT,   /* silent to pings */
} WrDisconnectReason;

/* Close codes the handler asks for */
#define WR_CLOSE_NORMAL 1000
#define WR_CLOSE_GOING_AWAY 1001
#define WR_CLOSE_POLICY 1008
#define WR_CLOSE_TOO_BIG 1009
#define WR_CLOSE_REPLACED 4000

typedef struct
{
  guint connections;
  guint64 relayed;
  guint64 rejected;
  guint64 errors[GST_WEBRTC_ROOM_ERROR_UNKNOWN];
} WrRoomStats;

GArray *wr_actions_new (void);

WrRoomHandler *wr_room_handler_new (const WrRoomHandlerConfig * config,
    gint64 now_us);

void wr_room_handler_free (WrRoomHandler * handler);

WrRoomConn *wr_room_handler_connect (WrRoomHandler * handler,
    gpointer handle, gint64 now_us);

void wr_room_handler_frame (WrRoomHandler * handler, WrRoomConn * conn,
    const gchar * text, gsize len, gint64 now_us, GArray * actions);

void wr_room_handler_message (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, gint64 now_us, GArray * actions);

void wr_room_handler_reject (WrRoomHandler * handler, WrRoomConn * conn,
    GstWebRTCRoomError code, const gchar * message, const gchar * ref,
    gushort close_code, GArray * actions);

void wr_room_handler_disconnect (WrRoomHandler * handler, WrRoomConn * conn,
    WrDisconnectReason reason, gint64 now_us, GArray * actions);

void wr_room_handler_tick (WrRoomHandler * handler, gint64 now_us,
    GArray * actions);

gint64 wr_room_handler_next_deadline (WrRoomHandler * handler);

guint wr_room_handler_get_n_peers (WrRoomHandler * handler);

guint wr_room_handler_get_n_rooms (WrRoomHandler * handler);

const WrRoomStats *wr_room_handler_get_stats (WrRoomHandler * handler);

const gchar *wr_room_conn_get_peer_id (WrRoomConn * conn);

gboolean wr_room_conn_is_closing (WrRoomConn * conn);

/* Cluster mode. Several servers share rooms through a broker that orders
 * every membership change of a room (a sequence number per room). The
 * handler keeps a view of each room it has local members (or joins) in,
 * with the members on other servers, fed in order by the broker:
 * - a join is not decided here: it becomes CLUSTER_JOIN, and the welcome
 *   is sent when the broker's joined event for it comes back, so that all
 *   servers see joins in one order (each newcomer's welcome lists exactly
 *   the members before it); a room not followed yet is loaded first
 *   (CLUSTER_LOAD, then a snapshot);
 * - a local peer that leaves is removed at once and CLUSTER_LEAVE tells
 *   the others; members of another server leave through left events;
 * - signals and broadcasts for members elsewhere become CLUSTER_SEND and
 *   CLUSTER_BROADCAST; those from elsewhere come in through deliver and
 *   broadcast, checked like any input.
 * Every string here comes from the network: the handler checks them. */
typedef struct
{
  const gchar *server;          /* the server the member is connected to */
  const gchar *gen;             /* its resume generation */
  const GstWebRTCRoomPeerInfo *info;
} WrClusterMember;

typedef enum
{
  WR_CLUSTER_REFUSED_FULL,
  WR_CLUSTER_REFUSED_TAKEN,     /* the id is in use: the resume is refused */
  WR_CLUSTER_REFUSED_GONE,      /* the peer left: no resume */
} WrClusterRefusal;

const gchar *wr_room_handler_get_server_id (WrRoomHandler * handler);

/* @members: the room as of event @seq, in join order */
void wr_room_handler_cluster_snapshot (WrRoomHandler * handler,
    const gchar * room, guint64 seq, const WrClusterMember * members,
    guint n_members, gint64 now_us, GArray * actions);

void wr_room_handler_cluster_joined (WrRoomHandler * handler,
    const gchar * room, guint64 seq, const WrClusterMember * member,
    gint64 now_us, GArray * actions);

void wr_room_handler_cluster_left (WrRoomHandler * handler,
    const gchar * room, guint64 seq, const gchar * peer,
    const gchar * server, GstWebRTCRoomPeerLeftReason reason,
    GArray * actions);

void wr_room_handler_cluster_join_refused (WrRoomHandler * handler,
    const gchar * room, const gchar * peer, WrClusterRefusal refusal,
    gint64 now_us, GArray * actions);

/* A signal frame (server to client) for the local peer @to */
void wr_room_handler_cluster_deliver (WrRoomHandler * handler,
    const gchar * to, const gchar * text, gsize len, GArray * actions);

/* A broadcast frame from @from, a member of @room on another server */
void wr_room_handler_cluster_broadcast (WrRoomHandler * handler,
    const gchar * room, const gchar * from, const gchar * text, gsize len,
    GArray * actions);

/* The servers other members are on (to watch whether they live) */
GPtrArray *wr_room_handler_cluster_servers (WrRoomHandler * handler);

/* @server stopped refreshing its liveness: sweeps of its rooms */
void wr_room_handler_cluster_server_gone (WrRoomHandler * handler,
    const gchar * server, GArray * actions);

/* Rooms followed (with local members or joins) */
GPtrArray *wr_room_handler_cluster_rooms (WrRoomHandler * handler);

/* Members on other servers in the rooms followed here */
guint wr_room_handler_get_n_remote_peers (WrRoomHandler * handler);

/* The id of the first connected member of @room whose join meta has
 * @meta_key = true, or NULL; @room_exists tells whether @room has members.
 * Cluster mode: members on other servers count (the room is known here
 * only while it has a local member or join). */
const gchar *wr_room_handler_find_member (WrRoomHandler * handler,
    const gchar * room, const gchar * meta_key, gboolean * room_exists);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrRoomHandler, wr_room_handler_free)
G_END_DECLS
