/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Rooms shared through Redis (hiredis async on the main context, with
 * hiredis' own GLib adapter: one GSource per Redis connection, two in
 * all). Keys and channels, all under "wr:<db>:" (channels are not per
 * database in Redis, hence the db in the name):
 *
 *   srv:<server>   this server is alive (SET EX --redis-ttl, refreshed
 *                  every ttl/3 s); gone = its members are swept
 *   room:<room>    hash: peer id -> "<join seq> <server> <gen> <frame>"
 *                  (frame: the peer-joined message), "#seq" -> the
 *                  room's event counter; EXPIRE ttl, refreshed by every
 *                  server with members in it
 *   rc:<room>      channel: "J <seq> <id> <record>" (joined or taken
 *                  over), "L <seq> <id> <server> <reason>" (left),
 *                  "B <from> <frame>" (broadcast)
 *   sc:<server>    channel: "S <to> <frame>" (a signal for a peer there)
 *
 * Joins, leaves and sweeps are Lua scripts, so each check-and-change and
 * its event are one atomic step and every server sees a room's events in
 * one order (the seq). Everything read back is checked: ids, numbers,
 * and frames through the protocol codec. */

#include "cluster.h"
#include "source-util.h"

#include <gst/webrtcroom/protocol.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/glib.h>
#include <string.h>

#define ID_LEN 16
#define MAX_BUFFERED_EVENTS 10000
#define CONNECT_TIMEOUT_S 3
#define SHUTDOWN_WAIT_US G_USEC_PER_SEC

/* Removes the members whose server key is gone (ARGV[3]: only that
 * server's; '' any), each with its left event; leaves n */
#define SWEEP_BODY \
  "local all = redis.call('HGETALL', KEYS[1])\n" \
  "local alive = {}\n" \
  "local n = 0\n" \
  "for i = 1, #all, 2 do\n" \
  "  local id, rec = all[i], all[i + 1]\n" \
  "  local sid = string.match(rec, '^%d+ (%x+) ')\n" \
  "  if id ~= '#seq' and sid and (ARGV[3] == '' or sid == ARGV[3]) then\n" \
  "    if alive[sid] == nil then\n" \
  "      alive[sid] = redis.call('EXISTS', ARGV[2] .. sid) == 1\n" \
  "    end\n" \
  "    if not alive[sid] then\n" \
  "      redis.call('HDEL', KEYS[1], id)\n" \
  "      local seq = redis.call('HINCRBY', KEYS[1], '#seq', 1)\n" \
  "      redis.call('PUBLISH', ARGV[1], 'L ' .. seq .. ' ' .. id .. ' ' ..\n" \
  "          sid .. ' timeout')\n" \
  "      n = n + 1\n" \
  "    end\n" \
  "  end\n" \
  "end\n"

/* KEYS[1] room; ARGV: channel, server key prefix, server or '' */
static const gchar sweep_script[] = SWEEP_BODY "return n\n";

/* The room, without the members of dead servers */
static const gchar snapshot_script[] =
    SWEEP_BODY "return redis.call('HGETALL', KEYS[1])\n";

/* KEYS[1] room; ARGV: id, server, gen, frame, max peers, ttl, previous
 * gen ('' fresh), token issuer, channel, server key prefix.
 * A resume takes over the entry only with its current gen; an entry
 * that is gone comes back only if its issuer is gone too (restarted or
 * crashed; a live issuer removed it: the peer left). */
static const gchar join_script[] =
    "local cur = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "local jseq\n"
    "if cur then\n"
    "  if ARGV[7] == '' then return 'taken' end\n"
    "  local s, g = string.match(cur, '^(%d+) %x+ (%x+) ')\n"
    "  if g ~= ARGV[7] then return 'taken' end\n"
    "  jseq = s\n"
    "else\n"
    "  if ARGV[7] ~= '' and (ARGV[8] == '' or\n"
    "      redis.call('EXISTS', ARGV[10] .. ARGV[8]) == 1) then\n"
    "    return 'gone'\n"
    "  end\n"
    "  local max = tonumber(ARGV[5])\n"
    "  if max > 0 and redis.call('HLEN', KEYS[1]) -\n"
    "      redis.call('HEXISTS', KEYS[1], '#seq') >= max then\n"
    "    return 'full'\n"
    "  end\n"
    "end\n"
    "local seq = redis.call('HINCRBY', KEYS[1], '#seq', 1)\n"
    "local rec = (jseq or seq) .. ' ' .. ARGV[2] .. ' ' .. ARGV[3] .. ' ' ..\n"
    "    ARGV[4]\n"
    "redis.call('HSET', KEYS[1], ARGV[1], rec)\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[6])\n"
    "redis.call('PUBLISH', ARGV[9], 'J ' .. seq .. ' ' .. ARGV[1] .. ' ' ..\n"
    "    rec)\n" "return 'ok'\n";

/* KEYS[1] room; ARGV: id, server, reason, channel. Only the server that
 * holds the peer removes it (it may have resumed elsewhere). */
static const gchar leave_script[] =
    "local cur = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if not cur or string.match(cur, '^%d+ (%x+) ') ~= ARGV[2] then\n"
    "  return 0\n"
    "end\n"
    "redis.call('HDEL', KEYS[1], ARGV[1])\n"
    "local seq = redis.call('HINCRBY', KEYS[1], '#seq', 1)\n"
    "redis.call('PUBLISH', ARGV[4], 'L ' .. seq .. ' ' .. ARGV[1] .. ' ' ..\n"
    "    ARGV[2] .. ' ' .. ARGV[3])\n" "return 1\n";

typedef enum
{
  SUB_SUBSCRIBING,
  SUB_SUBSCRIBED,
  SUB_UNSUBSCRIBING,
} SubState;

/* A room channel. A new SUBSCRIBE is never sent while an UNSUBSCRIBE of
 * the same channel is unanswered: hiredis 0.14 drops the channel's
 * callback at the unsubscribe reply, which would then lose the new
 * subscription's messages. */
typedef struct
{
  gchar *name;
  SubState state;
  gboolean wanted;              /* the handler follows the room */
  gboolean loaded;              /* snapshot given: events go through */
  guint load_gen;
  GPtrArray *buffer;            /* events before the snapshot */
} Room;

struct _WrCluster
{
  WrRoomHandler *handler;
  WrClusterCallbacks callbacks;
  gpointer user_data;
  gchar *host;
  guint port;
  guint db;
  gchar *password;
  guint ttl_s;
  guint max_peers;
  gchar *prefix;                /* "wr:<db>:" */
  gchar *server_key;
  gchar *server_channel;
  gchar *server_key_prefix;     /* "wr:<db>:srv:" */
  redisAsyncContext *cmd;
  redisAsyncContext *sub;
  GSource *cmd_source;
  GSource *sub_source;
  GSource *refresh_source;
  GHashTable *rooms;            /* name -> Room */
  gboolean closing;
};

typedef struct
{
  WrCluster *cluster;
  gchar *room;
  gchar *peer;
  guint load_gen;
} Pending;

typedef struct
{
  guint64 seq;                  /* join order */
  gchar server[ID_LEN + 1];
  gchar gen[ID_LEN + 1];
  GstWebRTCRoomMessage *msg;    /* peer-joined */
} Record;

gboolean
wr_cluster_is_supported (void)
{
  return TRUE;
}

static void
room_free (Room * room)
{
  g_free (room->name);
  g_ptr_array_unref (room->buffer);
  g_free (room);
}

static Pending *
pending_new (WrCluster * cluster, const gchar * room, const gchar * peer)
{
  Pending *p = g_new0 (Pending, 1);

  p->cluster = cluster;
  p->room = g_strdup (room);
  p->peer = g_strdup (peer);
  return p;
}

static void
pending_free (Pending * p)
{
  g_free (p->room);
  g_free (p->peer);
  g_free (p);
}

static void
feed (WrCluster * cluster, GArray * actions)
{
  if (actions->len)
    cluster->callbacks.run_actions (actions, cluster->user_data);
}

static void
fail (WrCluster * cluster, const gchar * message)
{
  if (cluster->closing)
    return;
  cluster->closing = TRUE;
  cluster->callbacks.failed (message, cluster->user_data);
}

static gchar *
room_key (WrCluster * cluster, const gchar * room)
{
  return g_strconcat (cluster->prefix, "room:", room, NULL);
}

static gchar *
room_channel (WrCluster * cluster, const gchar * room)
{
  return g_strconcat (cluster->prefix, "rc:", room, NULL);
}

/* ---------------------------------------------------------------- */
/* checking what Redis sends                                          */

static gboolean
is_id (const gchar * s, gsize len)
{
  gsize i;

  if (len != ID_LEN)
    return FALSE;
  for (i = 0; i < len; i++) {
    if (!g_ascii_isdigit (s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
      return FALSE;
  }
  return TRUE;
}

/* The next space-separated token of [*p, end) into @out (NUL-terminated,
 * at most @size - 1 bytes); FALSE when there is none or it is longer */
static gboolean
next_token (const gchar ** p, const gchar * end, gchar * out, gsize size)
{
  const gchar *start = *p;
  const gchar *space = memchr (start, ' ', end - start);
  gsize len = (space ? space : end) - start;

  if (len == 0 || len >= size)
    return FALSE;
  memcpy (out, start, len);
  out[len] = '\0';
  *p = space ? space + 1 : end;
  return TRUE;
}

static gboolean
parse_seq (const gchar * text, guint64 * out)
{
  return g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, out, NULL);
}

static void
record_clear (Record * record)
{
  g_clear_pointer (&record->msg, gst_webrtc_room_message_free);
}

/* "<join seq> <server> <gen> <peer-joined frame>" for peer @id */
static gboolean
parse_record (const gchar * id, const gchar * text, gsize len, Record * out)
{
  const gchar *p = text, *end = text + len;
  gchar seq[24];

  memset (out, 0, sizeof (*out));
  if (!next_token (&p, end, seq, sizeof (seq)) || !parse_seq (seq, &out->seq)
      || !next_token (&p, end, out->server, sizeof (out->server))
      || !is_id (out->server, strlen (out->server))
      || !next_token (&p, end, out->gen, sizeof (out->gen))
      || !is_id (out->gen, strlen (out->gen)) || p >= end)
    return FALSE;
  out->msg = gst_webrtc_room_message_parse (p, end - p,
      GST_WEBRTC_ROOM_TO_CLIENT, NULL, NULL);
  if (!out->msg || out->msg->type != GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED
      || !out->msg->peer_info || g_strcmp0 (out->msg->peer_info->id, id) != 0) {
    record_clear (out);
    return FALSE;
  }
  return TRUE;
}

static void
record_to_member (Record * record, WrClusterMember * member)
{
  member->server = record->server;
  member->gen = record->gen;
  member->info = record->msg->peer_info;
}

static gboolean
parse_reason (const gchar * text, GstWebRTCRoomPeerLeftReason * out)
{
  GstWebRTCRoomPeerLeftReason r;

  for (r = GST_WEBRTC_ROOM_LEFT_LEFT; r <= GST_WEBRTC_ROOM_LEFT_KICKED; r++) {
    if (g_str_equal (text, gst_webrtc_room_peer_left_reason_to_string (r))) {
      *out = r;
      return TRUE;
    }
  }
  return FALSE;
}

static void
bad_input (const gchar * what)
{
  g_message ("cluster: malformed %s from Redis, ignored", what);
}

/* One event of a room channel, for the handler */
static void
apply_event (WrCluster * cluster, const gchar * room, const gchar * text,
    gsize len)
{
  g_autoptr (GArray) actions = wr_actions_new ();
  const gchar *p = text, *end = text + len;
  gchar kind[2], seq_text[24], id[ID_LEN + 1], server[ID_LEN + 1];
  gchar reason_text[16];
  GstWebRTCRoomPeerLeftReason reason;
  guint64 seq;

  if (!next_token (&p, end, kind, sizeof (kind))) {
    bad_input ("room event");
    return;
  }
  if (kind[0] == 'B') {
    if (!next_token (&p, end, id, sizeof (id)) || !is_id (id, strlen (id))
        || p >= end) {
      bad_input ("broadcast");
      return;
    }
    wr_room_handler_cluster_broadcast (cluster->handler, room, id, p,
        end - p, actions);
  } else if (kind[0] == 'J') {
    Record record;
    WrClusterMember member;

    if (!next_token (&p, end, seq_text, sizeof (seq_text))
        || !parse_seq (seq_text, &seq)
        || !next_token (&p, end, id, sizeof (id)) || !is_id (id, strlen (id))
        || !parse_record (id, p, end - p, &record)) {
      bad_input ("joined event");
      return;
    }
    record_to_member (&record, &member);
    wr_room_handler_cluster_joined (cluster->handler, room, seq, &member,
        g_get_real_time (), actions);
    record_clear (&record);
  } else if (kind[0] == 'L') {
    if (!next_token (&p, end, seq_text, sizeof (seq_text))
        || !parse_seq (seq_text, &seq)
        || !next_token (&p, end, id, sizeof (id)) || !is_id (id, strlen (id))
        || !next_token (&p, end, server, sizeof (server))
        || !is_id (server, strlen (server))
        || !next_token (&p, end, reason_text, sizeof (reason_text))
        || p != end || !parse_reason (reason_text, &reason)) {
      bad_input ("left event");
      return;
    }
    wr_room_handler_cluster_left (cluster->handler, room, seq, id, server,
        reason, actions);
  } else {
    bad_input ("room event");
    return;
  }
  feed (cluster, actions);
}

/* "S <to> <frame>" on this server's channel */
static void
apply_signal (WrCluster * cluster, const gchar * text, gsize len)
{
  g_autoptr (GArray) actions = wr_actions_new ();
  const gchar *p = text, *end = text + len;
  gchar kind[2], id[ID_LEN + 1];

  if (!next_token (&p, end, kind, sizeof (kind)) || kind[0] != 'S'
      || !next_token (&p, end, id, sizeof (id)) || !is_id (id, strlen (id))
      || p >= end) {
    bad_input ("signal");
    return;
  }
  wr_room_handler_cluster_deliver (cluster->handler, id, p, end - p, actions);
  feed (cluster, actions);
}

/* ---------------------------------------------------------------- */
/* commands                                                           */

static gboolean
reply_is_error (redisReply * reply, const gchar * what)
{
  if (reply && reply->type == REDIS_REPLY_ERROR) {
    g_warning ("cluster: Redis refused %s: %s", what, reply->str);
    return TRUE;
  }
  return FALSE;
}

static void
on_reply_checked (redisAsyncContext * ac, void *r, void *privdata)
{
  reply_is_error (r, privdata);
}

static void
command_argv (WrCluster * cluster, redisCallbackFn * fn, gpointer data,
    guint argc, const gchar ** argv, const gsize * lens)
{
  if (!cluster->cmd || redisAsyncCommandArgv (cluster->cmd, fn, data, argc,
          argv, lens) != REDIS_OK)
    fail (cluster, "cannot send a command to Redis");
}

/* EVAL @script 1 @key ARGV..., NULL-terminated */
static void
eval_script (WrCluster * cluster, redisCallbackFn * fn, gpointer data,
    const gchar * script, const gchar * key, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GArray) lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  const gchar *arg;
  va_list args;
  guint i;

  g_ptr_array_add (argv, (gpointer) "EVAL");
  g_ptr_array_add (argv, (gpointer) script);
  g_ptr_array_add (argv, (gpointer) "1");
  g_ptr_array_add (argv, (gpointer) key);
  va_start (args, key);
  while ((arg = va_arg (args, const gchar *)))
      g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  for (i = 0; i < argv->len; i++) {
    gsize len = strlen (argv->pdata[i]);

    g_array_append_val (lens, len);
  }
  command_argv (cluster, fn, data, argv->len, (const gchar **) argv->pdata,
      (const gsize *) lens->data);
}

static void
publish (WrCluster * cluster, const gchar * channel, const gchar * kind,
    const gchar * id, const gchar * frame)
{
  g_autofree gchar *message = g_strconcat (kind, " ", id, " ", frame, NULL);
  const gchar *argv[] = { "PUBLISH", channel, message };
  gsize lens[] = { 7, strlen (channel), strlen (message) };

  command_argv (cluster, NULL, NULL, 3, argv, lens);
}

static gint
compare_join_order (gconstpointer a, gconstpointer b)
{
  const Record *x = a, *y = b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
on_snapshot (redisAsyncContext * ac, void *r, void *privdata)
{
  Pending *p = privdata;
  WrCluster *cluster = p->cluster;
  redisReply *reply = r;
  g_autoptr (GArray) records = NULL;
  g_autoptr (GArray) members = NULL;
  g_autoptr (GArray) actions = NULL;
  Room *room;
  guint64 seq = 0;
  gsize i;

  if (!reply || reply_is_error (reply, "a room snapshot"))
    goto out;
  room = g_hash_table_lookup (cluster->rooms, p->room);
  if (!room || !room->wanted || room->loaded || room->load_gen != p->load_gen)
    goto out;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2) {
    bad_input ("room snapshot");
    goto out;
  }
  records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_array_set_clear_func (records, (GDestroyNotify) record_clear);
  for (i = 0; i < reply->elements; i += 2) {
    redisReply *field = reply->element[i], *value = reply->element[i + 1];
    Record record;

    if (field->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING) {
      bad_input ("room snapshot");
      continue;
    }
    if (g_str_equal (field->str, "#seq")) {
      if (!parse_seq (value->str, &seq))
        bad_input ("room sequence");
    } else if (is_id (field->str, field->len)
        && parse_record (field->str, value->str, value->len, &record)) {
      g_array_append_val (records, record);
    } else {
      bad_input ("room member");
    }
  }
  g_array_sort (records, compare_join_order);
  members = g_array_sized_new (FALSE, TRUE, sizeof (WrClusterMember),
      records->len);
  for (i = 0; i < records->len; i++) {
    WrClusterMember member;

    record_to_member (&g_array_index (records, Record, i), &member);
    g_array_append_val (members, member);
  }
  actions = wr_actions_new ();
  room->loaded = TRUE;
  wr_room_handler_cluster_snapshot (cluster->handler, p->room, seq,
      (WrClusterMember *) members->data, members->len, g_get_real_time (),
      actions);
  feed (cluster, actions);
  /* what came meanwhile, in order (the handler skips the old ones) */
  room = g_hash_table_lookup (cluster->rooms, p->room);
  while (room && room->loaded && room->buffer->len) {
    gchar *event = g_ptr_array_steal_index (room->buffer, 0);

    apply_event (cluster, p->room, event, strlen (event));
    g_free (event);
    room = g_hash_table_lookup (cluster->rooms, p->room);
  }
out:
  pending_free (p);
}

static void
request_snapshot (WrCluster * cluster, Room * room)
{
  g_autofree gchar *key = room_key (cluster, room->name);
  g_autofree gchar *channel = room_channel (cluster, room->name);
  Pending *p = pending_new (cluster, room->name, NULL);

  p->load_gen = room->load_gen;
  eval_script (cluster, on_snapshot, p, snapshot_script, key, channel,
      cluster->server_key_prefix, "", NULL);
}

static void on_sub_message (redisAsyncContext * ac, void *r, void *privdata);

static void
subscribe (WrCluster * cluster, Room * room, gboolean on)
{
  g_autofree gchar *channel = room_channel (cluster, room->name);

  room->state = on ? SUB_SUBSCRIBING : SUB_UNSUBSCRIBING;
  /* (UNSUBSCRIBE's answer goes to the channel's callback) */
  if (!cluster->sub || redisAsyncCommand (cluster->sub, on_sub_message,
          cluster, on ? "SUBSCRIBE %s" : "UNSUBSCRIBE %s", channel)
      != REDIS_OK)
    fail (cluster, "cannot subscribe to a Redis channel");
}

static void
on_join_reply (redisAsyncContext * ac, void *r, void *privdata)
{
  Pending *p = privdata;
  redisReply *reply = r;
  g_autoptr (GArray) actions = wr_actions_new ();
  WrClusterRefusal refusal;

  if (!reply) {
    pending_free (p);
    return;
  }
  if (reply->type == REDIS_REPLY_ERROR
      || (reply->type != REDIS_REPLY_STRING
          && reply->type != REDIS_REPLY_STATUS)) {
    g_autofree gchar *message = g_strdup_printf ("Redis failed a join: %s",
        reply->type == REDIS_REPLY_ERROR ? reply->str : "bad reply");

    fail (p->cluster, message);
    pending_free (p);
    return;
  }
  if (g_str_equal (reply->str, "ok")) {
    pending_free (p);
    return;
  }
  if (g_str_equal (reply->str, "full"))
    refusal = WR_CLUSTER_REFUSED_FULL;
  else if (g_str_equal (reply->str, "taken"))
    refusal = WR_CLUSTER_REFUSED_TAKEN;
  else
    refusal = WR_CLUSTER_REFUSED_GONE;
  wr_room_handler_cluster_join_refused (p->cluster->handler, p->room,
      p->peer, refusal, g_get_real_time (), actions);
  feed (p->cluster, actions);
  pending_free (p);
}

static void
run_load (WrCluster * cluster, const gchar * name, gboolean load)
{
  Room *room = g_hash_table_lookup (cluster->rooms, name);

  if (!load) {
    if (!room)
      return;
    room->wanted = FALSE;
    room->loaded = FALSE;
    g_ptr_array_set_size (room->buffer, 0);
    if (room->state == SUB_SUBSCRIBED)
      subscribe (cluster, room, FALSE);
    return;
  }
  if (!room) {
    room = g_new0 (Room, 1);
    room->name = g_strdup (name);
    room->buffer = g_ptr_array_new_with_free_func (g_free);
    g_hash_table_insert (cluster->rooms, room->name, room);
    subscribe (cluster, room, TRUE);
  }
  room->wanted = TRUE;
  room->loaded = FALSE;
  room->load_gen++;
  g_ptr_array_set_size (room->buffer, 0);
  /* subscribed or unsubscribing: the confirmation goes on from here */
}

void
wr_cluster_run (WrCluster * cluster, const WrAction * action)
{
  g_autofree gchar *key = NULL;
  g_autofree gchar *channel = NULL;
  gchar max[16], ttl[16];

  if (!cluster->cmd || cluster->closing)
    return;
  if (action->room) {
    key = room_key (cluster, action->room);
    channel = room_channel (cluster, action->room);
  }
  switch (action->type) {
    case WR_ACTION_CLUSTER_LOAD:
    case WR_ACTION_CLUSTER_UNLOAD:
      run_load (cluster, action->room, action->type == WR_ACTION_CLUSTER_LOAD);
      break;
    case WR_ACTION_CLUSTER_JOIN:
      g_snprintf (max, sizeof (max), "%u", cluster->max_peers);
      g_snprintf (ttl, sizeof (ttl), "%u", cluster->ttl_s);
      eval_script (cluster, on_join_reply, pending_new (cluster, action->room,
              action->peer), join_script, key, action->peer,
          wr_room_handler_get_server_id (cluster->handler), action->gen,
          action->text, max, ttl, action->prev_gen ? action->prev_gen : "",
          action->server ? action->server : "", channel,
          cluster->server_key_prefix, NULL);
      break;
    case WR_ACTION_CLUSTER_LEAVE:
      eval_script (cluster, on_reply_checked, (gpointer) "a leave",
          leave_script, key, action->peer,
          wr_room_handler_get_server_id (cluster->handler),
          gst_webrtc_room_peer_left_reason_to_string (action->code), channel,
          NULL);
      break;
    case WR_ACTION_CLUSTER_SWEEP:
      eval_script (cluster, on_reply_checked, (gpointer) "a sweep",
          sweep_script, key, channel, cluster->server_key_prefix,
          action->server, NULL);
      break;
    case WR_ACTION_CLUSTER_SEND:{
      g_autofree gchar *to = g_strconcat (cluster->prefix, "sc:",
          action->server, NULL);

      publish (cluster, to, "S", action->peer, action->text);
      break;
    }
    case WR_ACTION_CLUSTER_BROADCAST:
      publish (cluster, channel, "B", action->peer, action->text);
      break;
    default:
      break;
  }
}

/* ---------------------------------------------------------------- */
/* subscriptions                                                      */

static void
on_room_message (WrCluster * cluster, const gchar * kind,
    const gchar * name, redisReply * payload)
{
  Room *room = g_hash_table_lookup (cluster->rooms, name);

  if (!room)
    return;
  if (g_str_equal (kind, "subscribe")) {
    room->state = SUB_SUBSCRIBED;
    if (room->wanted)
      request_snapshot (cluster, room);
    else
      subscribe (cluster, room, FALSE);
  } else if (g_str_equal (kind, "unsubscribe")) {
    if (room->wanted)
      subscribe (cluster, room, TRUE);
    else
      g_hash_table_remove (cluster->rooms, name);
  } else if (g_str_equal (kind, "message")
      && payload->type == REDIS_REPLY_STRING && room->wanted) {
    if (room->loaded)
      apply_event (cluster, name, payload->str, payload->len);
    else if (room->buffer->len < MAX_BUFFERED_EVENTS)
      g_ptr_array_add (room->buffer, g_strndup (payload->str, payload->len));
    else
      fail (cluster, "too many Redis events before a room snapshot");
  }
}

static void
on_sub_message (redisAsyncContext * ac, void *r, void *privdata)
{
  WrCluster *cluster = privdata;
  redisReply *reply = r;
  redisReply *kind, *channel;
  gsize room_prefix;

  if (!reply || !cluster)
    return;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
      || reply->element[0]->type != REDIS_REPLY_STRING
      || reply->element[1]->type != REDIS_REPLY_STRING) {
    if (!reply_is_error (reply, "a subscription"))
      bad_input ("subscription message");
    return;
  }
  kind = reply->element[0];
  channel = reply->element[1];
  if (g_str_equal (channel->str, cluster->server_channel)) {
    if (g_str_equal (kind->str, "message")
        && reply->element[2]->type == REDIS_REPLY_STRING)
      apply_signal (cluster, reply->element[2]->str, reply->element[2]->len);
    return;
  }
  room_prefix = strlen (cluster->prefix) + 3;
  if (channel->len > room_prefix
      && strncmp (channel->str, cluster->prefix, room_prefix - 3) == 0
      && strncmp (channel->str + room_prefix - 3, "rc:", 3) == 0
      && gst_webrtc_room_is_valid_room (channel->str + room_prefix))
    on_room_message (cluster, kind->str, channel->str + room_prefix,
        reply->element[2]);
}

/* ---------------------------------------------------------------- */
/* liveness                                                           */

static void
on_refreshed (redisAsyncContext * ac, void *r, void *privdata)
{
  WrCluster *cluster = privdata;
  redisReply *reply = r;

  if (!reply || reply_is_error (reply, "the liveness refresh"))
    return;
  if (reply->type == REDIS_REPLY_NIL)
    fail (cluster, "this server's liveness key in Redis expired (it "
        "stalled for longer than --redis-ttl): the other servers dropped "
        "its peers");
}

typedef struct
{
  WrCluster *cluster;
  GPtrArray *servers;
} LivenessCheck;

static void
on_servers_checked (redisAsyncContext * ac, void *r, void *privdata)
{
  LivenessCheck *check = privdata;
  WrCluster *cluster = check->cluster;
  GPtrArray *servers = check->servers;
  redisReply *reply = r;
  g_autoptr (GArray) actions = NULL;
  gsize i;

  if (!reply || reply_is_error (reply, "a liveness check")
      || reply->type != REDIS_REPLY_ARRAY || reply->elements != servers->len)
    goto out;
  actions = wr_actions_new ();
  for (i = 0; i < reply->elements; i++) {
    if (reply->element[i]->type == REDIS_REPLY_NIL) {
      g_message ("cluster: server %s is gone: its peers leave",
          (const gchar *) servers->pdata[i]);
      wr_room_handler_cluster_server_gone (cluster->handler,
          servers->pdata[i], actions);
    }
  }
  feed (cluster, actions);
out:
  g_ptr_array_unref (servers);
  g_free (check);
}

static gboolean
on_refresh (gpointer user_data)
{
  WrCluster *cluster = user_data;
  GPtrArray *servers = wr_room_handler_cluster_servers (cluster->handler);
  g_autoptr (GPtrArray) rooms =
      wr_room_handler_cluster_rooms (cluster->handler);
  guint i;

  if (!cluster->cmd || cluster->closing) {
    g_ptr_array_unref (servers);
    return G_SOURCE_CONTINUE;
  }
  redisAsyncCommand (cluster->cmd, on_refreshed, cluster,
      "SET %s 1 XX EX %u", cluster->server_key, cluster->ttl_s);
  for (i = 0; i < rooms->len; i++) {
    g_autofree gchar *key = room_key (cluster, rooms->pdata[i]);

    redisAsyncCommand (cluster->cmd, on_reply_checked, (gpointer) "EXPIRE",
        "EXPIRE %s %u", key, cluster->ttl_s);
  }
  if (servers->len) {
    LivenessCheck *check = g_new0 (LivenessCheck, 1);
    g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

    g_ptr_array_add (argv, g_strdup ("MGET"));
    for (i = 0; i < servers->len; i++)
      g_ptr_array_add (argv, g_strconcat (cluster->server_key_prefix,
              servers->pdata[i], NULL));
    check->cluster = cluster;
    check->servers = g_steal_pointer (&servers);
    command_argv (cluster, on_servers_checked, check, argv->len,
        (const gchar **) argv->pdata, NULL);
  } else {
    g_ptr_array_unref (servers);
  }
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- */
/* connections                                                        */

static gboolean
parse_url (WrCluster * cluster, const gchar * url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *path;
  guint64 db = 0;

  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, error);
  if (!uri)
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "redis") != 0
      || !g_uri_get_host (uri) || !*g_uri_get_host (uri)
      || g_uri_get_query (uri) || g_uri_get_fragment (uri)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is no redis://[:PASSWORD@]HOST[:PORT][/DB] URL", url);
    return FALSE;
  }
  path = g_uri_get_path (uri);
  if (path && *path && !g_str_equal (path, "/")
      && !g_ascii_string_to_unsigned (path + 1, 10, 0, 65535, &db, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "the database in '%s' is not a number", url);
    return FALSE;
  }
  cluster->host = g_strdup (g_uri_get_host (uri));
  cluster->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 6379;
  cluster->db = db;
  cluster->password = g_strdup (g_uri_get_password (uri));
  return TRUE;
}

static gboolean
sync_check (redisContext * rc, redisReply * reply, const gchar * what,
    GError ** error)
{
  if (!reply) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Redis, %s: %s",
        what, rc->errstr);
    return FALSE;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Redis, %s: %s",
        what, reply->str);
    freeReplyObject (reply);
    return FALSE;
  }
  return TRUE;
}

/* Synchronous first contact, so that a wrong URL, password or database
 * fails at start with a clear message; registers this server */
static gboolean
register_server (WrCluster * cluster, GError ** error)
{
  struct timeval timeout = { CONNECT_TIMEOUT_S, 0 };
  redisContext *rc = redisConnectWithTimeout (cluster->host, cluster->port,
      timeout);
  redisReply *reply;
  gboolean ok = FALSE;

  if (!rc || rc->err) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
        "cannot connect to Redis at %s:%u: %s", cluster->host, cluster->port,
        rc ? rc->errstr : "out of memory");
    goto out;
  }
  redisSetTimeout (rc, timeout);
  if (cluster->password) {
    reply = redisCommand (rc, "AUTH %s", cluster->password);
    if (!sync_check (rc, reply, "AUTH", error))
      goto out;
    freeReplyObject (reply);
  }
  reply = redisCommand (rc, "SELECT %u", cluster->db);
  if (!sync_check (rc, reply, "SELECT", error))
    goto out;
  freeReplyObject (reply);
  reply = redisCommand (rc, "SET %s 1 NX EX %u", cluster->server_key,
      cluster->ttl_s);
  if (!sync_check (rc, reply, "SET", error))
    goto out;
  if (reply->type == REDIS_REPLY_NIL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
        "Redis already has a server with this id: start again");
  else
    ok = TRUE;
  freeReplyObject (reply);
out:
  if (rc)
    redisFree (rc);
  return ok;
}

static WrCluster *
cluster_of (const redisAsyncContext * ac)
{
  return ac->data;
}

/* hiredis frees @ac after this (and then calls its adapter's cleanup,
 * which removes the poll fd): the GSource goes in wr_cluster_free */
static void
drop_context (WrCluster * cluster, const redisAsyncContext * ac)
{
  GSource *source = NULL;

  if (ac == cluster->cmd) {
    cluster->cmd = NULL;
    source = cluster->cmd_source;
  } else if (ac == cluster->sub) {
    cluster->sub = NULL;
    source = cluster->sub_source;
  }
  /* the adapter's dispatch looks at revents after a callback returns */
  if (source)
    ((RedisSource *) source)->poll_fd.revents = 0;
}

static void
on_connected (const redisAsyncContext * ac, int status)
{
  WrCluster *cluster = cluster_of (ac);

  if (status != REDIS_OK) {
    g_autofree gchar *message =
        g_strdup_printf ("cannot connect to Redis: %s", ac->errstr);

    drop_context (cluster, ac);
    fail (cluster, message);
  }
}

static void
on_disconnected (const redisAsyncContext * ac, int status)
{
  WrCluster *cluster = cluster_of (ac);

  drop_context (cluster, ac);
  fail (cluster, "lost the connection to Redis");
}

static redisAsyncContext *
open_context (WrCluster * cluster, GSource ** source, GError ** error)
{
  redisAsyncContext *ac = redisAsyncConnect (cluster->host, cluster->port);

  if (!ac || ac->err) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot connect to Redis at %s:%u: %s", cluster->host,
        cluster->port, ac ? ac->errstr : "out of memory");
    if (ac)
      redisAsyncFree (ac);
    return NULL;
  }
  ac->data = cluster;
  *source = redis_source_new (ac);
  g_source_attach (*source, g_main_context_get_thread_default ());
  redisAsyncSetConnectCallback (ac, on_connected);
  redisAsyncSetDisconnectCallback (ac, on_disconnected);
  if (cluster->password)
    redisAsyncCommand (ac, on_reply_checked, (gpointer) "AUTH", "AUTH %s",
        cluster->password);
  return ac;
}

WrCluster *
wr_cluster_new (const WrClusterConfig * config, WrRoomHandler * handler,
    const WrClusterCallbacks * callbacks, gpointer user_data, GError ** error)
{
  WrCluster *cluster = g_new0 (WrCluster, 1);
  const gchar *id = wr_room_handler_get_server_id (handler);

  cluster->handler = handler;
  cluster->callbacks = *callbacks;
  cluster->user_data = user_data;
  cluster->ttl_s = MAX (config->ttl_s, 1);
  cluster->max_peers = config->max_peers_per_room;
  cluster->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) room_free);
  if (!parse_url (cluster, config->url, error))
    goto failed;
  cluster->prefix = g_strdup_printf ("wr:%u:", cluster->db);
  cluster->server_key_prefix = g_strconcat (cluster->prefix, "srv:", NULL);
  cluster->server_key = g_strconcat (cluster->server_key_prefix, id, NULL);
  cluster->server_channel = g_strconcat (cluster->prefix, "sc:", id, NULL);
  if (!register_server (cluster, error))
    goto failed;

  cluster->cmd = open_context (cluster, &cluster->cmd_source, error);
  if (!cluster->cmd)
    goto failed;
  redisAsyncCommand (cluster->cmd, on_reply_checked, (gpointer) "SELECT",
      "SELECT %u", cluster->db);
  cluster->sub = open_context (cluster, &cluster->sub_source, error);
  if (!cluster->sub)
    goto failed;
  /* every channel's messages come to one callback */
  redisAsyncCommand (cluster->sub, on_sub_message, cluster, "SUBSCRIBE %s",
      cluster->server_channel);

  cluster->refresh_source = g_timeout_source_new (MAX (cluster->ttl_s * 1000
          / 3, 100));
  g_source_set_callback (cluster->refresh_source, on_refresh, cluster, NULL);
  g_source_attach (cluster->refresh_source,
      g_main_context_get_thread_default ());
  g_message ("cluster: server %s in Redis at %s:%u db %u (expiry %u s)", id,
      cluster->host, cluster->port, cluster->db, cluster->ttl_s);
  return cluster;

failed:
  cluster->closing = TRUE;
  wr_cluster_free (cluster);
  return NULL;
}

static void
free_context (WrCluster * cluster, redisAsyncContext * ac)
{
  if (!ac)
    return;
  /* no disconnect callback into a cluster being freed */
  redisAsyncSetDisconnectCallback (ac, NULL);
  drop_context (cluster, ac);
  redisAsyncFree (ac);
}

void
wr_cluster_free (WrCluster * cluster)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline = g_get_monotonic_time () + SHUTDOWN_WAIT_US;

  if (!cluster)
    return;
  wr_source_clear (&cluster->refresh_source);
  /* the leaves queued so far, then this server's key: the others sweep
   * its lost peers at once instead of after the expiry */
  if (cluster->cmd && !cluster->closing) {
    cluster->closing = TRUE;
    redisAsyncCommand (cluster->cmd, NULL, NULL, "DEL %s", cluster->server_key);
    redisAsyncDisconnect (cluster->cmd);
    while (cluster->cmd && g_get_monotonic_time () < deadline) {
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (1000);
    }
  }
  cluster->closing = TRUE;
  free_context (cluster, cluster->sub);
  free_context (cluster, cluster->cmd);
  wr_source_clear (&cluster->cmd_source);
  wr_source_clear (&cluster->sub_source);
  g_hash_table_destroy (cluster->rooms);
  g_free (cluster->host);
  g_free (cluster->password);
  g_free (cluster->prefix);
  g_free (cluster->server_key);
  g_free (cluster->server_channel);
  g_free (cluster->server_key_prefix);
  g_free (cluster);
}
