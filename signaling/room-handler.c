/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Room membership, relay, liveness and resume: see docs/protocol.md.
 * Memory per peer is kept small on purpose (one struct, two global hash
 * table entries, intrusive list links): the server must hold 10,000 peers
 * in well under 100 MB. */

#include "room-handler.h"
#include "tokens.h"

#include <string.h>
#include <sys/random.h>

#define PEER_ID_BYTES 8
#define RESUME_GEN_BYTES 8
/* how often the table of consumed foreign resume tokens is pruned */
#define CONSUMED_PRUNE_US (60 * G_USEC_PER_SEC)

typedef struct _WrRoom WrRoom;
typedef struct _WrPeer WrPeer;
typedef struct _WrJoin WrJoin;

struct _WrPeer
{
  GstWebRTCRoomPeerInfo info;
  WrRoom *room;
  WrRoomConn *conn;             /* NULL while lost (resume grace) */
  gchar *server;                /* cluster: a member of another server;
                                 * NULL: ours */
  GList room_link;              /* in room->members, join order */
  GList lost_link;              /* in handler->lost while lost */
  gint64 lost_deadline;
  /* the generation of the peer's current resume token: only that token
   * resumes it, once (the welcome it gets carries the next one) */
  gchar resume_gen[2 * RESUME_GEN_BYTES + 1];
};

struct _WrRoom
{
  gchar *name;
  GQueue members;
  guint n_local;                /* members of this server, lost ones too */
  /* cluster mode */
  gboolean loaded;              /* FALSE until the broker's snapshot */
  guint64 seq;                  /* the last event applied */
  guint n_remote;
  guint n_joining;              /* joins sent to the broker, unanswered */
  GQueue parked;                /* WrJoin, waiting for the snapshot */
};

/* Cluster mode: a join on its way through the broker */
struct _WrJoin
{
  WrRoomConn *conn;             /* NULL once the connection is gone */
  WrRoom *room;
  gchar *id;                    /* while sent: the key in handler->joins */
  gchar gen[2 * RESUME_GEN_BYTES + 1];
  GstWebRTCRoomMessage *msg;
  gboolean token_ok;            /* a valid join token, or none needed */
  /* a valid resume token's peer, generation and issuer */
  gchar *resume_peer;
  gchar *resume_gen;
  gchar *resume_server;
  gboolean parked;
  gboolean left_clean;          /* the connection closed cleanly meanwhile */
  GList link;                   /* in room->parked */
};

struct _WrRoomConn
{
  gpointer handle;
  WrPeer *peer;
  gboolean closing;
  gboolean pending;
  gint64 join_deadline;
  GList pending_link;           /* in handler->pending until joined */
  WrJoin *join;                 /* cluster: a join under way */
};

struct _WrRoomHandler
{
  WrRoomHandlerConfig config;
  gchar server_id[2 * PEER_ID_BYTES + 1];
  GHashTable *rooms;            /* name -> WrRoom */
  GHashTable *peers;            /* id -> WrPeer */
  GQueue pending;               /* WrRoomConn, by join deadline */
  GQueue lost;                  /* WrPeer, by lost deadline */
  /* peer ids re-created here from another instance's resume token (the
   * server restarted): id -> that token's expiry (gint64 *). Such a
   * token works once per instance: a replay after the peer left finds
   * its id here. */
  GHashTable *consumed;
  gint64 consumed_pruned;
  WrRoomStats stats;
  guint n_local_rooms;          /* rooms with members of this server */
  /* cluster mode */
  GHashTable *joins;            /* id -> WrJoin sent to the broker */
  GHashTable *remote_servers;   /* server id -> members of it known here */
  guint n_remote;
};

static void
action_clear (gpointer data)
{
  WrAction *action = data;

  g_clear_pointer (&action->text, g_ref_string_release);
  g_clear_pointer (&action->room, g_free);
  g_clear_pointer (&action->peer, g_free);
  g_clear_pointer (&action->server, g_free);
  g_clear_pointer (&action->gen, g_free);
  g_clear_pointer (&action->prev_gen, g_free);
}

GArray *
wr_actions_new (void)
{
  GArray *actions = g_array_new (FALSE, TRUE, sizeof (WrAction));

  g_array_set_clear_func (actions, action_clear);
  return actions;
}

static void
push_send (GArray * actions, WrRoomConn * conn, gchar * ref_text)
{
  WrAction action = {.type = WR_ACTION_SEND,.conn = conn->handle,
    .text = g_ref_string_acquire (ref_text)
  };

  g_array_append_val (actions, action);
}

static void
push_send_owned (GArray * actions, WrRoomConn * conn, gchar * text)
{
  gchar *ref = g_ref_string_new (text);

  push_send (actions, conn, ref);
  g_ref_string_release (ref);
  g_free (text);
}

static void
random_hex (gchar * out, gsize n_bytes)
{
  guint8 buf[32];
  gsize got = 0, i;

  g_assert (n_bytes <= sizeof (buf));
  while (got < n_bytes) {
    ssize_t n = getrandom (buf + got, n_bytes - got, 0);

    if (n > 0)
      got += n;
  }
  for (i = 0; i < n_bytes; i++) {
    out[2 * i] = "0123456789abcdef"[buf[i] >> 4];
    out[2 * i + 1] = "0123456789abcdef"[buf[i] & 0xf];
  }
  out[2 * n_bytes] = '\0';
}

static void
peer_free (WrPeer * peer)
{
  g_free (peer->server);
  g_free (peer->info.id);
  g_free (peer->info.name);
  g_clear_pointer (&peer->info.meta, json_object_unref);
  g_free (peer);
}

static void
room_free (WrRoom * room)
{
  g_free (room->name);
  g_free (room);
}

WrRoomHandler *
wr_room_handler_new (const WrRoomHandlerConfig * config, gint64 now_us)
{
  WrRoomHandler *handler = g_new0 (WrRoomHandler, 1);

  g_return_val_if_fail (config->resume_secret != NULL, NULL);

  handler->config = *config;
  handler->config.resume_secret = g_bytes_ref (config->resume_secret);
  if (config->join_secret)
    handler->config.join_secret = g_bytes_ref (config->join_secret);
  if (config->ice_servers)
    handler->config.ice_servers = json_array_ref (config->ice_servers);
  handler->config.turn_rest_urls = g_strdupv (config->turn_rest_urls);
  if (config->turn_rest_secret)
    handler->config.turn_rest_secret = g_bytes_ref (config->turn_rest_secret);
  if (handler->config.resume_token_lifetime_s <= 0)
    handler->config.resume_token_lifetime_s = 24 * 3600;
  random_hex (handler->server_id, PEER_ID_BYTES);
  /* keys are owned by the values */
  handler->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) room_free);
  handler->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) peer_free);
  handler->consumed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  handler->consumed_pruned = now_us;
  handler->joins = g_hash_table_new (g_str_hash, g_str_equal);
  handler->remote_servers = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  g_queue_init (&handler->pending);
  g_queue_init (&handler->lost);
  return handler;
}

static void
join_free (WrJoin * join)
{
  if (join->conn)
    join->conn->join = NULL;
  g_free (join->id);
  g_clear_pointer (&join->msg, gst_webrtc_room_message_free);
  g_free (join->resume_peer);
  g_free (join->resume_gen);
  g_free (join->resume_server);
  g_free (join);
}

static gboolean
steal_join (gpointer key, gpointer value, gpointer user_data)
{
  join_free (value);
  return TRUE;
}

void
wr_room_handler_free (WrRoomHandler * handler)
{
  if (!handler)
    return;
  /* connections are owned by the glue, which disconnects them first */
  g_hash_table_foreach_steal (handler->joins, steal_join, NULL);
  g_hash_table_destroy (handler->joins);
  g_hash_table_destroy (handler->remote_servers);
  g_hash_table_destroy (handler->peers);
  g_hash_table_destroy (handler->rooms);
  g_hash_table_destroy (handler->consumed);
  g_bytes_unref (handler->config.resume_secret);
  g_clear_pointer (&handler->config.join_secret, g_bytes_unref);
  g_clear_pointer (&handler->config.ice_servers, json_array_unref);
  g_clear_pointer (&handler->config.turn_rest_urls, g_strfreev);
  g_clear_pointer (&handler->config.turn_rest_secret, g_bytes_unref);
  g_free (handler);
}

WrRoomConn *
wr_room_handler_connect (WrRoomHandler * handler, gpointer handle,
    gint64 now_us)
{
  WrRoomConn *conn = g_new0 (WrRoomConn, 1);

  conn->handle = handle;
  conn->pending_link.data = conn;
  if (handler->config.join_timeout_us > 0) {
    conn->join_deadline = now_us + handler->config.join_timeout_us;
    conn->pending = TRUE;
    g_queue_push_tail_link (&handler->pending, &conn->pending_link);
  }
  handler->stats.connections++;
  return conn;
}

static void
unlink_pending (WrRoomHandler * handler, WrRoomConn * conn)
{
  if (conn->pending) {
    g_queue_unlink (&handler->pending, &conn->pending_link);
    conn->pending = FALSE;
  }
}

static void
send_error (WrRoomHandler * handler, WrRoomConn * conn,
    GstWebRTCRoomError code, const gchar * message, const gchar * ref,
    GArray * actions)
{
  if (code < GST_WEBRTC_ROOM_ERROR_UNKNOWN)
    handler->stats.errors[code]++;
  /* the code only: messages and refs may echo client input (tokens) */
  g_info ("%s refused: %s", ref && g_str_equal (ref, "join") ? "join" :
      "message", gst_webrtc_room_error_to_code (code));
  push_send_owned (actions, conn,
      gst_webrtc_room_build_error (code, message, ref));
}

static void
close_conn (WrRoomHandler * handler, WrRoomConn * conn, gushort code,
    GArray * actions)
{
  WrAction action = {.type = WR_ACTION_CLOSE,.conn = conn->handle,
    .code = code
  };

  conn->closing = TRUE;
  unlink_pending (handler, conn);
  g_array_append_val (actions, action);
}

/* Sends @text to every member of @room with a live connection, but
 * @except. */
static guint
send_to_room (WrRoom * room, WrPeer * except, gchar * ref_text,
    GArray * actions)
{
  GList *l;
  guint n = 0;

  for (l = room->members.head; l; l = l->next) {
    WrPeer *member = l->data;

    if (member == except || !member->conn)
      continue;
    push_send (actions, member->conn, ref_text);
    n++;
  }
  return n;
}

static void
send_owned_to_room (WrRoom * room, WrPeer * except, gchar * text,
    GArray * actions)
{
  gchar *ref = g_ref_string_new (text);

  send_to_room (room, except, ref, actions);
  g_ref_string_release (ref);
  g_free (text);
}

/* Appends a cluster action for the broker; returns it for more fields */
static WrAction *
push_cluster (GArray * actions, WrActionType type, WrRoom * room,
    const gchar * peer)
{
  WrAction action = {.type = type,
    .room = room ? g_strdup (room->name) : NULL,.peer = g_strdup (peer)
  };

  g_array_append_val (actions, action);
  return &g_array_index (actions, WrAction, actions->len - 1);
}

static void
count_local (WrRoomHandler * handler, WrRoom * room, gint delta)
{
  if (delta > 0 && room->n_local++ == 0)
    handler->n_local_rooms++;
  else if (delta < 0 && --room->n_local == 0)
    handler->n_local_rooms--;
}

static void
count_remote (WrRoomHandler * handler, WrRoom * room, const gchar * server,
    gint delta)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (handler->remote_servers,
          server));

  room->n_remote += delta;
  handler->n_remote += delta;
  if (delta < 0 && n <= 1)
    g_hash_table_remove (handler->remote_servers, server);
  else
    g_hash_table_insert (handler->remote_servers, g_strdup (server),
        GUINT_TO_POINTER (n + delta));
}

/* Drops @peer from the tables (no message) */
static void
forget_peer (WrRoomHandler * handler, WrPeer * peer)
{
  g_queue_unlink (&peer->room->members, &peer->room_link);
  if (peer->server)
    count_remote (handler, peer->room, peer->server, -1);
  else
    count_local (handler, peer->room, -1);
  g_hash_table_remove (handler->peers, peer->info.id);
}

/* A room goes when nothing of this server is in it any more (in cluster
 * mode its view of the other servers' members goes with it) */
static void
room_maybe_release (WrRoomHandler * handler, WrRoom * room, GArray * actions)
{
  if (room->n_local || room->n_joining || room->parked.length)
    return;
  if (handler->config.cluster) {
    while (room->members.head)
      forget_peer (handler, room->members.head->data);
    push_cluster (actions, WR_ACTION_CLUSTER_UNLOAD, room, NULL);
  } else if (room->members.length) {
    return;
  }
  g_hash_table_remove (handler->rooms, room->name);
}

static void
remove_peer (WrRoomHandler * handler, WrPeer * peer,
    GstWebRTCRoomPeerLeftReason reason, GArray * actions)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
    .peer = peer->info.id,.reason = reason
  };
  WrRoom *room = peer->room;

  g_info ("peer %s left room %s (%s)", peer->info.id, room->name,
      gst_webrtc_room_peer_left_reason_to_string (reason));

  if (!peer->server && !peer->conn)
    g_queue_unlink (&handler->lost, &peer->lost_link);
  else if (!peer->server)
    peer->conn->peer = NULL;

  send_owned_to_room (room, peer,
      gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_CLIENT),
      actions);

  if (!peer->server && handler->config.cluster)
    push_cluster (actions, WR_ACTION_CLUSTER_LEAVE, room,
        peer->info.id)->code = reason;
  forget_peer (handler, peer);
  room_maybe_release (handler, room, actions);
}

static WrRoom *
lookup_or_create_room (WrRoomHandler * handler, const gchar * name)
{
  WrRoom *room = g_hash_table_lookup (handler->rooms, name);

  if (!room) {
    room = g_new0 (WrRoom, 1);
    room->name = g_strdup (name);
    room->loaded = !handler->config.cluster;
    g_queue_init (&room->members);
    g_queue_init (&room->parked);
    g_hash_table_insert (handler->rooms, room->name, room);
  }
  return room;
}

static gchar *
new_peer_id (WrRoomHandler * handler)
{
  gchar id[2 * PEER_ID_BYTES + 1];

  do {
    random_hex (id, PEER_ID_BYTES);
  } while (g_hash_table_contains (handler->peers, id)
      || g_hash_table_contains (handler->joins, id));
  return g_strdup (id);
}

/* The configured iceServers, plus the TURN servers with credentials for
 * @peer valid until now + TTL (a new pair for every welcome, resumes too). */
static JsonArray *
ice_servers_for (WrRoomHandler * handler, WrPeer * peer, gint64 now_us)
{
  const WrRoomHandlerConfig *config = &handler->config;
  JsonArray *servers = json_array_new ();
  g_autofree gchar *username = NULL;
  g_autofree gchar *credential = NULL;
  JsonObject *turn;
  JsonArray *urls;
  guint i;

  for (i = 0; config->ice_servers
      && i < json_array_get_length (config->ice_servers); i++)
    json_array_add_element (servers,
        json_node_copy (json_array_get_element (config->ice_servers, i)));
  if (!config->turn_rest_secret || !config->turn_rest_urls
      || !config->turn_rest_urls[0])
    return servers;

  username = wr_turn_rest_username (now_us / G_USEC_PER_SEC +
      config->turn_rest_ttl_s, peer->info.id);
  credential = wr_turn_rest_credential (config->turn_rest_secret, username);
  turn = json_object_new ();
  urls = json_array_new ();
  for (i = 0; config->turn_rest_urls[i]; i++)
    json_array_add_string_element (urls, config->turn_rest_urls[i]);
  json_object_set_array_member (turn, "urls", urls);
  json_object_set_string_member (turn, "username", username);
  json_object_set_string_member (turn, "credential", credential);
  json_array_add_object_element (servers, turn);
  return servers;
}

static void
send_welcome (WrRoomHandler * handler, WrPeer * peer, gint64 now_us,
    GArray * actions)
{
  g_autoptr (JsonArray) ice_servers = ice_servers_for (handler, peer, now_us);
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  g_autofree gchar *token = NULL;
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_WELCOME,
    .protocol = GST_WEBRTC_ROOM_PROTOCOL_VERSION
  };
  GList *l;

  for (l = peer->room->members.head; l; l = l->next) {
    WrPeer *member = l->data;

    if (member != peer)
      g_ptr_array_add (others, &member->info);
  }
  /* in cluster mode the generation went through the broker with the join */
  if (!handler->config.cluster)
    random_hex (peer->resume_gen, RESUME_GEN_BYTES);
  token = wr_token_new_resume (handler->config.resume_secret,
      peer->room->name, peer->info.id, handler->server_id, peer->resume_gen,
      now_us / G_USEC_PER_SEC + handler->config.resume_token_lifetime_s);

  msg.peer = peer->info.id;
  msg.room = peer->room->name;
  msg.peers = others;
  msg.ice_servers = ice_servers;
  msg.resume = token;
  push_send_owned (actions, peer->conn,
      gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_CLIENT));
}

static void
attach_conn (WrRoomHandler * handler, WrPeer * peer, WrRoomConn * conn)
{
  peer->conn = conn;
  conn->peer = peer;
  unlink_pending (handler, conn);
}

/* A member in the tables, last of @room: ours when @server is NULL.
 * Takes @id. */
static WrPeer *
peer_insert (WrRoomHandler * handler, WrRoom * room, gchar * id,
    const gchar * name, JsonObject * meta, gboolean offers,
    const gchar * server)
{
  WrPeer *peer = g_new0 (WrPeer, 1);

  peer->info.id = id;
  peer->info.name = g_strdup (name);
  peer->info.meta = meta ? json_object_ref (meta) : NULL;
  peer->info.offers = offers;
  peer->room = room;
  peer->room_link.data = peer;
  peer->lost_link.data = peer;
  g_hash_table_insert (handler->peers, peer->info.id, peer);
  g_queue_push_tail_link (&room->members, &peer->room_link);
  if (server) {
    peer->server = g_strdup (server);
    count_remote (handler, room, server, 1);
  } else {
    count_local (handler, room, 1);
  }
  return peer;
}

static void
announce_joined (WrRoom * room, WrPeer * peer, GArray * actions)
{
  GstWebRTCRoomMessage announce = {
    .type = GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,.peer_info = &peer->info
  };

  send_owned_to_room (room, peer,
      gst_webrtc_room_message_serialize (&announce,
          GST_WEBRTC_ROOM_TO_CLIENT), actions);
}

/* A new member: announced to the others, welcomed. */
static void
add_peer (WrRoomHandler * handler, WrRoomConn * conn, WrRoom * room,
    gchar * id, const GstWebRTCRoomMessage * join, gint64 now_us,
    GArray * actions)
{
  WrPeer *peer = peer_insert (handler, room, id, join->name, join->meta,
      join->offers, NULL);

  attach_conn (handler, peer, conn);
  g_info ("peer %s joined room %s", id, room->name);
  announce_joined (room, peer, actions);
  send_welcome (handler, peer, now_us, actions);
}

static void
make_lost (WrRoomHandler * handler, WrPeer * peer, gint64 now_us)
{
  peer->conn = NULL;
  peer->lost_deadline = now_us + handler->config.resume_grace_us;
  g_queue_push_tail_link (&handler->lost, &peer->lost_link);
}

/* Takes over a known peer: no peer-left/peer-joined for the others. */
static void
resume_peer (WrRoomHandler * handler, WrRoomConn * conn, WrPeer * peer,
    gint64 now_us, GArray * actions)
{
  if (peer->conn) {
    WrRoomConn *old = peer->conn;

    /* the old socket is still open from our side: it is replaced */
    old->peer = NULL;
    close_conn (handler, old, WR_CLOSE_REPLACED, actions);
  } else {
    g_queue_unlink (&handler->lost, &peer->lost_link);
  }
  attach_conn (handler, peer, conn);
  g_info ("peer %s resumed in room %s", peer->info.id, peer->room->name);
  send_welcome (handler, peer, now_us, actions);
}

static gboolean
room_is_full (WrRoomHandler * handler, WrRoom * room)
{
  return room && handler->config.max_peers_per_room > 0
      && room->members.length >= handler->config.max_peers_per_room;
}

static void
remember_consumed (WrRoomHandler * handler, const gchar * id, gint64 exp_s)
{
  gint64 *exp = g_new (gint64, 1);

  *exp = exp_s;
  g_hash_table_replace (handler->consumed, g_strdup (id), exp);
}

static void
prune_consumed (WrRoomHandler * handler, gint64 now_us)
{
  GHashTableIter iter;
  gpointer value;

  if (now_us - handler->consumed_pruned < CONSUMED_PRUNE_US)
    return;
  handler->consumed_pruned = now_us;
  g_hash_table_iter_init (&iter, handler->consumed);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    if (*(gint64 *) value <= now_us / G_USEC_PER_SEC)
      g_hash_table_iter_remove (&iter);
  }
}

/* What a join's resume token allows: resuming a known peer (only with
 * its current generation), re-creating a peer of another server instance
 * (once), or nothing (the join is a fresh one). */
typedef enum
{
  RESUME_NONE,
  RESUME_TAKE_OVER,
  RESUME_RECREATE,
} ResumeKind;

static ResumeKind
classify_resume (WrRoomHandler * handler, const GstWebRTCRoomMessage * msg,
    gint64 now_s, WrResumeToken * token, WrPeer ** peer_out)
{
  WrPeer *peer;

  *peer_out = NULL;
  if (!msg->resume || !wr_token_check_resume (handler->config.resume_secret,
          msg->resume, msg->room, now_s, token))
    return RESUME_NONE;

  peer = g_hash_table_lookup (handler->peers, token->peer);
  if (peer) {
    /* a superseded token (an older generation) is dead */
    if (!g_str_equal (peer->room->name, msg->room)
        || !g_str_equal (peer->resume_gen, token->gen))
      return RESUME_NONE;
    *peer_out = peer;
    return RESUME_TAKE_OVER;
  }
  /* A peer this instance issued the token for and already removed joins
   * afresh; a peer of another instance (we restarted) is re-created with
   * its id, once. */
  if (g_strcmp0 (token->server_id, handler->server_id) == 0
      || g_hash_table_contains (handler->consumed, token->peer))
    return RESUME_NONE;
  return RESUME_RECREATE;
}

static void
refuse_unauthorized (WrRoomHandler * handler, WrRoomConn * conn,
    gboolean had_token, GArray * actions)
{
  send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED,
      had_token ? "join token is invalid or expired" :
      "this server requires a join token", "join", actions);
  handler->stats.rejected++;
  close_conn (handler, conn, WR_CLOSE_POLICY, actions);
}

/* Cluster mode: the join goes to the broker, which decides whether a
 * resume takes its peer over (wherever it is), and orders it among the
 * room's joins; the welcome waits for the broker's joined event. */
static void
cluster_send_join (WrRoomHandler * handler, WrJoin * join, GArray * actions)
{
  GstWebRTCRoomPeerInfo info = {.name = join->msg->name,
    .meta = join->msg->meta,.offers = join->msg->offers
  };
  GstWebRTCRoomMessage announce = {
    .type = GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,.peer_info = &info
  };
  g_autofree gchar *text = NULL;
  WrAction *action;

  g_clear_pointer (&join->id, g_free);
  if (join->resume_peer) {
    WrPeer *known = g_hash_table_lookup (handler->peers, join->resume_peer);

    /* a resume under way for the same peer: this one is a fresh join */
    if ((known && known->room != join->room)
        || g_hash_table_contains (handler->joins, join->resume_peer))
      g_clear_pointer (&join->resume_peer, g_free);
    else
      join->id = g_strdup (join->resume_peer);
  }
  if (!join->id)
    join->id = new_peer_id (handler);
  random_hex (join->gen, RESUME_GEN_BYTES);
  info.id = join->id;
  text = gst_webrtc_room_message_serialize (&announce,
      GST_WEBRTC_ROOM_TO_CLIENT);

  action = push_cluster (actions, WR_ACTION_CLUSTER_JOIN, join->room, join->id);
  action->text = g_ref_string_new (text);
  action->gen = g_strdup (join->gen);
  if (join->resume_peer) {
    action->prev_gen = g_strdup (join->resume_gen);
    action->server = g_strdup (join->resume_server);
  }
  join->parked = FALSE;
  g_hash_table_insert (handler->joins, join->id, join);
  join->room->n_joining++;
}

static void
cluster_handle_join (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, gint64 now_us, GArray * actions)
{
  g_auto (WrResumeToken) token = { 0 };
  gint64 now_s = now_us / G_USEC_PER_SEC;
  gboolean resume_ok = msg->resume
      && wr_token_check_resume (handler->config.resume_secret, msg->resume,
      msg->room, now_s, &token);
  gboolean token_ok = !handler->config.join_secret || (msg->token
      && wr_token_check_join (handler->config.join_secret, msg->token,
          msg->room, now_s));
  WrJoin *join;
  WrRoom *room;

  /* a resume token that turns out dead needs the join token then */
  if (!resume_ok && !token_ok) {
    refuse_unauthorized (handler, conn, msg->token != NULL, actions);
    return;
  }
  join = g_new0 (WrJoin, 1);
  join->conn = conn;
  join->msg = gst_webrtc_room_message_copy (msg);
  join->token_ok = token_ok;
  join->link.data = join;
  if (resume_ok) {
    join->resume_peer = g_steal_pointer (&token.peer);
    join->resume_gen = g_steal_pointer (&token.gen);
    join->resume_server = g_steal_pointer (&token.server_id);
  }
  conn->join = join;
  unlink_pending (handler, conn);

  room = g_hash_table_lookup (handler->rooms, msg->room);
  if (!room) {
    room = lookup_or_create_room (handler, msg->room);
    push_cluster (actions, WR_ACTION_CLUSTER_LOAD, room, NULL);
  }
  join->room = room;
  if (!room->loaded) {
    join->parked = TRUE;
    g_queue_push_tail_link (&room->parked, &join->link);
    return;
  }
  cluster_send_join (handler, join, actions);
}

static void
handle_join (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, gint64 now_us, GArray * actions)
{
  g_auto (WrResumeToken) token = { 0 };
  gint64 now_s = now_us / G_USEC_PER_SEC;
  ResumeKind resume;
  WrPeer *resumed;
  WrRoom *room;

  if (conn->peer || conn->join) {
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_ALREADY_JOINED,
        "this connection already joined a room", "join", actions);
    return;
  }
  if (handler->config.cluster) {
    cluster_handle_join (handler, conn, msg, now_us, actions);
    return;
  }

  /* An invalid, expired, used or superseded resume token is not an
   * error: fresh join (which then needs a join token if required). */
  resume = classify_resume (handler, msg, now_s, &token, &resumed);

  if (handler->config.join_secret && resume == RESUME_NONE
      && !(msg->token && wr_token_check_join (handler->config.join_secret,
              msg->token, msg->room, now_s))) {
    refuse_unauthorized (handler, conn, msg->token != NULL, actions);
    return;
  }

  if (resume == RESUME_TAKE_OVER) {
    resume_peer (handler, conn, resumed, now_us, actions);
    return;
  }

  room = g_hash_table_lookup (handler->rooms, msg->room);
  if (room_is_full (handler, room)) {
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_ROOM_FULL,
        "the room is full", "join", actions);
    return;
  }
  room = lookup_or_create_room (handler, msg->room);
  if (resume == RESUME_RECREATE) {
    remember_consumed (handler, token.peer, token.exp);
    add_peer (handler, conn, room, g_steal_pointer (&token.peer), msg, now_us,
        actions);
  } else {
    add_peer (handler, conn, room, new_peer_id (handler), msg, now_us, actions);
  }
}

static void
handle_signal (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, GArray * actions)
{
  WrPeer *peer = conn->peer;
  WrPeer *target = g_hash_table_lookup (handler->peers, msg->to);

  if (!target || target == peer || target->room != peer->room) {
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER,
        "no such peer in your room", "signal", actions);
    return;
  }
  if (target->server) {
    WrAction *action = push_cluster (actions, WR_ACTION_CLUSTER_SEND, NULL,
        target->info.id);
    g_autofree gchar *text = gst_webrtc_room_build_signal (peer->info.id,
        msg->data, GST_WEBRTC_ROOM_TO_CLIENT);

    action->server = g_strdup (target->server);
    action->text = g_ref_string_new (text);
    return;
  }
  /* a peer in its resume grace period misses what is sent meanwhile */
  if (!target->conn)
    return;
  push_send_owned (actions, target->conn,
      gst_webrtc_room_build_signal (peer->info.id, msg->data,
          GST_WEBRTC_ROOM_TO_CLIENT));
  handler->stats.relayed++;
}

static void
handle_broadcast (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, GArray * actions)
{
  GstWebRTCRoomMessage out = {.type = GST_WEBRTC_ROOM_MESSAGE_BROADCAST,
    .from = conn->peer->info.id,.data = msg->data
  };
  g_autofree gchar *text =
      gst_webrtc_room_message_serialize (&out, GST_WEBRTC_ROOM_TO_CLIENT);
  gchar *ref = g_ref_string_new (text);

  handler->stats.relayed += send_to_room (conn->peer->room, conn->peer, ref,
      actions);
  if (conn->peer->room->n_remote)
    push_cluster (actions, WR_ACTION_CLUSTER_BROADCAST, conn->peer->room,
        conn->peer->info.id)->text = g_ref_string_acquire (ref);
  g_ref_string_release (ref);
}

void
wr_room_handler_message (WrRoomHandler * handler, WrRoomConn * conn,
    const GstWebRTCRoomMessage * msg, gint64 now_us, GArray * actions)
{
  const gchar *type = gst_webrtc_room_message_type_to_string (msg->type);

  if (conn->closing)
    return;

  switch (msg->type) {
    case GST_WEBRTC_ROOM_MESSAGE_JOIN:
      handle_join (handler, conn, msg, now_us, actions);
      return;
    case GST_WEBRTC_ROOM_MESSAGE_PING:{
      GstWebRTCRoomMessage pong = {.type = GST_WEBRTC_ROOM_MESSAGE_PONG,
        .id = msg->id
      };
      push_send_owned (actions, conn,
          gst_webrtc_room_message_serialize (&pong, GST_WEBRTC_ROOM_TO_CLIENT));
      return;
    }
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
    case GST_WEBRTC_ROOM_MESSAGE_BROADCAST:
    case GST_WEBRTC_ROOM_MESSAGE_LEAVE:
      break;
    default:
      send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE,
          "this message type is not sent by clients", type, actions);
      return;
  }

  if (!conn->peer) {
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_NOT_JOINED,
        "join a room first", type, actions);
    return;
  }

  if (msg->type == GST_WEBRTC_ROOM_MESSAGE_SIGNAL) {
    handle_signal (handler, conn, msg, actions);
  } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_BROADCAST) {
    handle_broadcast (handler, conn, msg, actions);
  } else {
    remove_peer (handler, conn->peer, GST_WEBRTC_ROOM_LEFT_LEFT, actions);
    close_conn (handler, conn, WR_CLOSE_NORMAL, actions);
  }
}

void
wr_room_handler_frame (WrRoomHandler * handler, WrRoomConn * conn,
    const gchar * text, gsize len, gint64 now_us, GArray * actions)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ref = NULL;

  if (conn->closing)
    return;
  msg = gst_webrtc_room_message_parse (text, len, GST_WEBRTC_ROOM_TO_SERVER,
      &ref, &error);
  if (!msg) {
    send_error (handler, conn, error->code, error->message, ref, actions);
    return;
  }
  wr_room_handler_message (handler, conn, msg, now_us, actions);
}

void
wr_room_handler_reject (WrRoomHandler * handler, WrRoomConn * conn,
    GstWebRTCRoomError code, const gchar * message, const gchar * ref,
    gushort close_code, GArray * actions)
{
  if (conn->closing)
    return;
  send_error (handler, conn, code, message, ref, actions);
  if (close_code) {
    if (conn->peer)
      remove_peer (handler, conn->peer, GST_WEBRTC_ROOM_LEFT_KICKED, actions);
    handler->stats.rejected++;
    close_conn (handler, conn, close_code, actions);
  }
}

void
wr_room_handler_disconnect (WrRoomHandler * handler, WrRoomConn * conn,
    WrDisconnectReason reason, gint64 now_us, GArray * actions)
{
  WrPeer *peer = conn->peer;
  WrJoin *join = conn->join;

  unlink_pending (handler, conn);
  if (peer && reason == WR_DISCONNECT_CLEAN) {
    remove_peer (handler, peer, GST_WEBRTC_ROOM_LEFT_LEFT, actions);
  } else if (peer) {
    g_info ("peer %s lost in room %s, waiting for resume", peer->info.id,
        peer->room->name);
    make_lost (handler, peer, now_us);
  } else if (join && join->parked) {
    WrRoom *room = join->room;

    g_queue_unlink (&room->parked, &join->link);
    join_free (join);
    room_maybe_release (handler, room, actions);
  } else if (join) {
    /* the broker's answer comes: a lost peer then, or one that leaves */
    join->conn = NULL;
    join->left_clean = reason == WR_DISCONNECT_CLEAN;
  }
  handler->stats.connections--;
  g_free (conn);
}

void
wr_room_handler_tick (WrRoomHandler * handler, gint64 now_us, GArray * actions)
{
  while (handler->pending.head) {
    WrRoomConn *conn = handler->pending.head->data;

    if (conn->join_deadline > now_us)
      break;
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT,
        "no join received in time", NULL, actions);
    handler->stats.rejected++;
    close_conn (handler, conn, WR_CLOSE_POLICY, actions);
  }
  while (handler->lost.head) {
    WrPeer *peer = handler->lost.head->data;

    if (peer->lost_deadline > now_us)
      break;
    remove_peer (handler, peer, GST_WEBRTC_ROOM_LEFT_TIMEOUT, actions);
  }
  prune_consumed (handler, now_us);
}

gint64
wr_room_handler_next_deadline (WrRoomHandler * handler)
{
  gint64 next = G_MAXINT64;

  if (handler->pending.head)
    next = ((WrRoomConn *) handler->pending.head->data)->join_deadline;
  if (handler->lost.head)
    next = MIN (next, ((WrPeer *) handler->lost.head->data)->lost_deadline);
  return next;
}

guint
wr_room_handler_get_n_peers (WrRoomHandler * handler)
{
  return g_hash_table_size (handler->peers) - handler->n_remote;
}

guint
wr_room_handler_get_n_rooms (WrRoomHandler * handler)
{
  return handler->n_local_rooms;
}

const WrRoomStats *
wr_room_handler_get_stats (WrRoomHandler * handler)
{
  return &handler->stats;
}

const gchar *
wr_room_conn_get_peer_id (WrRoomConn * conn)
{
  return conn->peer ? conn->peer->info.id : NULL;
}

gboolean
wr_room_conn_is_closing (WrRoomConn * conn)
{
  return conn->closing;
}

/* ------------------------------------------------------------------ */
/* Cluster mode: the broker's events                                    */

const gchar *
wr_room_handler_get_server_id (WrRoomHandler * handler)
{
  return handler->server_id;
}

guint
wr_room_handler_get_n_remote_peers (WrRoomHandler * handler)
{
  return handler->n_remote;
}

/* The room of an event, if it is followed here and the event is new */
static WrRoom *
event_room (WrRoomHandler * handler, const gchar * name, guint64 seq)
{
  WrRoom *room;

  if (!handler->config.cluster || !name)
    return NULL;
  room = g_hash_table_lookup (handler->rooms, name);
  if (!room || !room->loaded || seq <= room->seq)
    return NULL;
  room->seq = seq;
  return room;
}

static gboolean
is_valid_member (const WrClusterMember * member)
{
  return member && member->server && member->gen && member->info
      && member->info->id && strlen (member->gen) == 2 * RESUME_GEN_BYTES;
}

static void
set_server (WrRoomHandler * handler, WrPeer * peer, const gchar * server)
{
  if (peer->server)
    count_remote (handler, peer->room, peer->server, -1);
  else
    count_local (handler, peer->room, -1);
  g_free (peer->server);
  peer->server = g_strdup (server);
  if (server)
    count_remote (handler, peer->room, server, 1);
  else
    count_local (handler, peer->room, 1);
}

/* Our join's echo: @peer is ours now; welcomed if its connection is
 * still there */
static void
cluster_take (WrRoomHandler * handler, WrPeer * peer, WrJoin * join,
    const WrClusterMember * member, gint64 now_us, GArray * actions)
{
  WrRoomConn *conn = join ? join->conn : NULL;

  memcpy (peer->resume_gen, member->gen, sizeof (peer->resume_gen));
  if (conn && !conn->closing) {
    join->conn = NULL;
    conn->join = NULL;
    attach_conn (handler, peer, conn);
    send_welcome (handler, peer, now_us, actions);
  } else {
    make_lost (handler, peer, now_us);
    if (join && join->left_clean)
      remove_peer (handler, peer, GST_WEBRTC_ROOM_LEFT_LEFT, actions);
  }
}

/* A member of another server now holds the id of @peer, ours: it
 * resumed there. Gone from here without a word to the others. */
static void
cluster_moved_away (WrRoomHandler * handler, WrPeer * peer,
    const gchar * server, GArray * actions)
{
  g_info ("peer %s resumed on another server", peer->info.id);
  if (peer->conn) {
    WrRoomConn *old = peer->conn;

    old->peer = NULL;
    close_conn (handler, old, WR_CLOSE_REPLACED, actions);
    peer->conn = NULL;
  } else {
    g_queue_unlink (&handler->lost, &peer->lost_link);
  }
  set_server (handler, peer, server);
  room_maybe_release (handler, peer->room, actions);
}

void
wr_room_handler_cluster_joined (WrRoomHandler * handler,
    const gchar * room_name, guint64 seq, const WrClusterMember * member,
    gint64 now_us, GArray * actions)
{
  WrRoom *room = event_room (handler, room_name, seq);
  gboolean mine;
  WrJoin *join = NULL;
  WrPeer *peer;
  const gchar *id;

  if (!room || !is_valid_member (member))
    return;
  id = member->info->id;
  mine = g_str_equal (member->server, handler->server_id);
  if (mine) {
    join = g_hash_table_lookup (handler->joins, id);
    if (join && join->room != room)
      join = NULL;
    /* room->n_joining stays up until the end: the room stays */
    if (join)
      g_hash_table_steal (handler->joins, id);
  }
  peer = g_hash_table_lookup (handler->peers, id);
  if (peer && peer->room != room) {
    /* 64 random bits met twice: ours goes again, with a new id */
    g_message ("cluster: peer id %s seen in two rooms, ignored", id);
    if (mine)
      push_cluster (actions, WR_ACTION_CLUSTER_LEAVE, room, id)->code =
          GST_WEBRTC_ROOM_LEFT_LEFT;
    if (join) {
      g_clear_pointer (&join->resume_peer, g_free);
      cluster_send_join (handler, join, actions);
      room->n_joining--;
      join = NULL;
    }
  } else if (!peer) {
    peer = peer_insert (handler, room, g_strdup (id), member->info->name,
        member->info->meta, member->info->offers, mine ? NULL : member->server);
    g_info ("peer %s joined room %s%s", id, room->name,
        mine ? "" : " on another server");
    announce_joined (room, peer, actions);
    if (mine)
      cluster_take (handler, peer, join, member, now_us, actions);
  } else if (!mine && peer->server) {
    set_server (handler, peer, member->server);
  } else if (!mine) {
    cluster_moved_away (handler, peer, member->server, actions);
  } else {
    /* a resume here of a member of ours or of another server */
    if (peer->server) {
      set_server (handler, peer, NULL);
    } else if (peer->conn) {
      WrRoomConn *old = peer->conn;

      old->peer = NULL;
      peer->conn = NULL;
      close_conn (handler, old, WR_CLOSE_REPLACED, actions);
    } else {
      g_queue_unlink (&handler->lost, &peer->lost_link);
    }
    g_info ("peer %s resumed in room %s", id, room->name);
    cluster_take (handler, peer, join, member, now_us, actions);
  }
  if (join) {
    room->n_joining--;
    join_free (join);
    room_maybe_release (handler, room, actions);
  }
}

void
wr_room_handler_cluster_left (WrRoomHandler * handler,
    const gchar * room_name, guint64 seq, const gchar * id,
    const gchar * server, GstWebRTCRoomPeerLeftReason reason, GArray * actions)
{
  WrRoom *room = event_room (handler, room_name, seq);
  WrPeer *peer;

  if (!room || !id || !server || reason > GST_WEBRTC_ROOM_LEFT_KICKED)
    return;
  peer = g_hash_table_lookup (handler->peers, id);
  if (!peer || peer->room != room)
    return;
  if (peer->server && g_str_equal (peer->server, server)) {
    remove_peer (handler, peer, reason, actions);
  } else if (!peer->server && g_str_equal (server, handler->server_id)) {
    /* the others took this server for gone (it stalled longer than the
     * broker's expiry): the peer is out, its client may resume */
    WrRoomConn *conn = peer->conn;

    g_message ("cluster: peer %s of this server was removed by the others", id);
    remove_peer (handler, peer, reason, actions);
    if (conn)
      close_conn (handler, conn, WR_CLOSE_GOING_AWAY, actions);
  }
}

void
wr_room_handler_cluster_snapshot (WrRoomHandler * handler,
    const gchar * room_name, guint64 seq, const WrClusterMember * members,
    guint n_members, gint64 now_us, GArray * actions)
{
  WrRoom *room;
  guint i;

  if (!handler->config.cluster || !room_name)
    return;
  room = g_hash_table_lookup (handler->rooms, room_name);
  if (!room || room->loaded)
    return;
  room->loaded = TRUE;
  room->seq = seq;
  for (i = 0; i < n_members; i++) {
    const WrClusterMember *member = &members[i];

    if (!is_valid_member (member)
        || g_hash_table_contains (handler->peers, member->info->id))
      continue;
    if (g_str_equal (member->server, handler->server_id)) {
      /* ours, but not here: a leftover the broker is told to drop */
      push_cluster (actions, WR_ACTION_CLUSTER_LEAVE, room,
          member->info->id)->code = GST_WEBRTC_ROOM_LEFT_TIMEOUT;
      continue;
    }
    peer_insert (handler, room, g_strdup (member->info->id),
        member->info->name, member->info->meta, member->info->offers,
        member->server);
  }
  while (room->parked.head) {
    WrJoin *join = room->parked.head->data;

    g_queue_unlink (&room->parked, &join->link);
    cluster_send_join (handler, join, actions);
  }
  room_maybe_release (handler, room, actions);
}

void
wr_room_handler_cluster_join_refused (WrRoomHandler * handler,
    const gchar * room_name, const gchar * id, WrClusterRefusal refusal,
    gint64 now_us, GArray * actions)
{
  WrJoin *join = id ? g_hash_table_lookup (handler->joins, id) : NULL;
  WrRoomConn *conn;
  WrRoom *room;

  if (!join || g_strcmp0 (join->room->name, room_name) != 0)
    return;
  g_hash_table_steal (handler->joins, id);
  room = join->room;
  room->n_joining--;
  conn = join->conn;
  if (!conn || conn->closing) {
    join_free (join);
  } else if (refusal == WR_CLUSTER_REFUSED_FULL) {
    join_free (join);
    send_error (handler, conn, GST_WEBRTC_ROOM_ERROR_ROOM_FULL,
        "the room is full", "join", actions);
  } else if (!join->token_ok) {
    gboolean had_token = join->msg->token != NULL;

    join_free (join);
    refuse_unauthorized (handler, conn, had_token, actions);
  } else {
    /* the resume is refused (or the id was taken): a fresh join */
    g_clear_pointer (&join->resume_peer, g_free);
    cluster_send_join (handler, join, actions);
  }
  room_maybe_release (handler, room, actions);
}

void
wr_room_handler_cluster_deliver (WrRoomHandler * handler, const gchar * to,
    const gchar * text, gsize len, GArray * actions)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  WrPeer *peer = to ? g_hash_table_lookup (handler->peers, to) : NULL;
  WrPeer *from;

  if (!peer || peer->server || !peer->conn)
    return;
  msg = gst_webrtc_room_message_parse (text, len, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);
  if (!msg || msg->type != GST_WEBRTC_ROOM_MESSAGE_SIGNAL) {
    g_message ("cluster: a signal for %s that is no signal frame, dropped", to);
    return;
  }
  from = g_hash_table_lookup (handler->peers, msg->from);
  if (!from || from == peer || from->room != peer->room)
    return;
  push_send_owned (actions, peer->conn, g_strndup (text, len));
  handler->stats.relayed++;
}

void
wr_room_handler_cluster_broadcast (WrRoomHandler * handler,
    const gchar * room_name, const gchar * from_id, const gchar * text,
    gsize len, GArray * actions)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  WrRoom *room;
  WrPeer *from;
  gchar *ref;

  if (!handler->config.cluster || !room_name || !from_id)
    return;
  room = g_hash_table_lookup (handler->rooms, room_name);
  from = g_hash_table_lookup (handler->peers, from_id);
  /* ours were sent here already */
  if (!room || !from || from->room != room || !from->server)
    return;
  msg = gst_webrtc_room_message_parse (text, len, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);
  if (!msg || msg->type != GST_WEBRTC_ROOM_MESSAGE_BROADCAST
      || g_strcmp0 (msg->from, from_id) != 0) {
    g_message ("cluster: a broadcast from %s that is no broadcast frame "
        "of it, dropped", from_id);
    return;
  }
  ref = g_ref_string_new_len (text, len);
  handler->stats.relayed += send_to_room (room, from, ref, actions);
  g_ref_string_release (ref);
}

/* A copy of the string keys of @table (GLib 2.74 has no
 * g_hash_table_get_keys_as_ptr_array) */
static GPtrArray *
dup_keys (GHashTable * table)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, g_strdup (key));
  return keys;
}

GPtrArray *
wr_room_handler_cluster_servers (WrRoomHandler * handler)
{
  return dup_keys (handler->remote_servers);
}

GPtrArray *
wr_room_handler_cluster_rooms (WrRoomHandler * handler)
{
  return dup_keys (handler->rooms);
}

void
wr_room_handler_cluster_server_gone (WrRoomHandler * handler,
    const gchar * server, GArray * actions)
{
  GHashTableIter iter;
  gpointer value;

  if (!server)
    return;
  g_hash_table_iter_init (&iter, handler->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    WrRoom *room = value;
    GList *l;

    for (l = room->members.head; l; l = l->next) {
      WrPeer *peer = l->data;

      if (peer->server && g_str_equal (peer->server, server)) {
        push_cluster (actions, WR_ACTION_CLUSTER_SWEEP, room,
            NULL)->server = g_strdup (server);
        break;
      }
    }
  }
}

/* The first connected member of @room (join order) whose join meta holds
 * @meta_key set to true: the participant that opted in to serve a WHIP or
 * WHEP session (docs/protocol.md "WHIP and WHEP endpoints"). */
const gchar *
wr_room_handler_find_member (WrRoomHandler * handler, const gchar * room_name,
    const gchar * meta_key, gboolean * room_exists)
{
  WrRoom *room = g_hash_table_lookup (handler->rooms, room_name);
  GList *l;

  *room_exists = room != NULL;
  if (!room)
    return NULL;
  for (l = room->members.head; l; l = l->next) {
    WrPeer *peer = l->data;
    JsonNode *node;

    /* ours and connected, or another server's (signals go through the
     * broker) */
    if ((!peer->server && (!peer->conn || peer->conn->closing))
        || !peer->info.meta)
      continue;
    node = json_object_get_member (peer->info.meta, meta_key);
    if (node && JSON_NODE_HOLDS_VALUE (node)
        && json_node_get_value_type (node) == G_TYPE_BOOLEAN
        && json_node_get_boolean (node))
      return peer->info.id;
  }
  return NULL;
}
