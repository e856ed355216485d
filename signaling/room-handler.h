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
} WrRoomHandlerConfig;

typedef enum
{
  WR_ACTION_SEND,
  WR_ACTION_CLOSE,
} WrActionType;

typedef struct
{
  WrActionType type;
  gpointer conn;                /* the handle given to wr_room_handler_connect */
  gchar *text;                  /* SEND: a GRefString */
  gushort code;                 /* CLOSE: WebSocket close code */
} WrAction;

typedef enum
{
  WR_DISCONNECT_CLEAN,          /* close frame 1000/1001 */
  WR_DISCONNECT_LOST,           /* no close frame, any other code */
  WR_DISCONNECT_PING_TIMEOUT,   /* silent to pings */
} WrDisconnectReason;

/* Close codes the handler asks for */
#define WR_CLOSE_NORMAL 1000
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

/* The id of the first connected member of @room whose join meta has
 * @meta_key = true, or NULL; @room_exists tells whether @room has members */
const gchar *wr_room_handler_find_member (WrRoomHandler * handler,
    const gchar * room, const gchar * meta_key, gboolean * room_exists);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrRoomHandler, wr_room_handler_free)
G_END_DECLS
