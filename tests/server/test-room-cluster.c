/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room handler's cluster mode without sockets nor Redis: the
 * broker's events are made up here, the CLUSTER_* actions checked. */

#include "room-handler.h"

#include <string.h>

#define SEC ((gint64) G_USEC_PER_SEC)
#define T0 ((gint64) 1700000000 * SEC)
#define OTHER "00000000000000aa"
#define GEN "0123456789abcdef"

typedef struct
{
  WrRoomHandler *handler;
  GBytes *secret;
  GArray *actions;
  gint64 now;
} Fixture;

typedef struct
{
  const gchar *name;
  WrRoomConn *conn;
} Conn;

static void
setup (Fixture * f, gconstpointer data)
{
  WrRoomHandlerConfig config = {
    .max_peers_per_room = 0,
    .resume_grace_us = 30 * SEC,
    .cluster = TRUE,
  };

  f->secret = g_bytes_new_static ("resume-secret-for-unit-tests", 28);
  config.resume_secret = f->secret;
  f->now = T0;
  f->handler = wr_room_handler_new (&config, f->now);
  f->actions = wr_actions_new ();
}

static void
teardown (Fixture * f, gconstpointer data)
{
  wr_room_handler_free (f->handler);
  g_bytes_unref (f->secret);
  g_array_unref (f->actions);
}

static WrAction *
find_action (Fixture * f, WrActionType type, gconstpointer conn)
{
  guint i;

  for (i = 0; i < f->actions->len; i++) {
    WrAction *a = &g_array_index (f->actions, WrAction, i);

    if (a->type == type && (!conn || a->conn == conn))
      return a;
  }
  return NULL;
}

static GstWebRTCRoomMessage *
sent_to (Fixture * f, Conn * c)
{
  WrAction *a = find_action (f, WR_ACTION_SEND, c);

  g_assert_nonnull (a);
  return gst_webrtc_room_message_parse (a->text, -1,
      GST_WEBRTC_ROOM_TO_CLIENT, NULL, NULL);
}

static void
frame (Fixture * f, Conn * c, const gchar * text)
{
  g_array_set_size (f->actions, 0);
  wr_room_handler_frame (f->handler, c->conn, text, strlen (text), f->now,
      f->actions);
}

/* The joined event the broker would send back for the JOIN in actions */
static void
echo_join (Fixture * f, guint64 seq)
{
  WrAction *a = find_action (f, WR_ACTION_CLUSTER_JOIN, NULL);
  g_autoptr (GstWebRTCRoomMessage) announce = NULL;
  g_autofree gchar *room = NULL;
  g_autofree gchar *gen = NULL;
  WrClusterMember member;

  g_assert_nonnull (a);
  announce = gst_webrtc_room_message_parse (a->text, -1,
      GST_WEBRTC_ROOM_TO_CLIENT, NULL, NULL);
  g_assert_nonnull (announce);
  g_assert_cmpint (announce->type, ==, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  g_assert_cmpstr (announce->peer_info->id, ==, a->peer);
  room = g_strdup (a->room);
  gen = g_strdup (a->gen);
  member.server = wr_room_handler_get_server_id (f->handler);
  member.gen = gen;
  member.info = announce->peer_info;
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_joined (f->handler, room, seq, &member, f->now,
      f->actions);
}

static GstWebRTCRoomPeerInfo *
remote_info (const gchar * id, const gchar * name)
{
  return gst_webrtc_room_peer_info_new (id, name, NULL, TRUE);
}

/* A join waits for the room's snapshot, then for its own joined event;
 * the welcome lists the members of other servers; signals to them go to
 * their server; theirs are checked; leaves go both ways */
static void
test_join_through_broker (Fixture * f, gconstpointer data)
{
  g_autoptr (GstWebRTCRoomPeerInfo) bob = remote_info ("1111111111111111",
      "bob");
  WrClusterMember members[] = { {OTHER, GEN, bob} };
  Conn a = { "a", NULL };
  g_autoptr (GstWebRTCRoomMessage) welcome = NULL;
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autofree gchar *join = gst_webrtc_room_build_join ("r", "alice", NULL,
      TRUE, NULL, NULL);
  g_autofree gchar *signal = NULL;
  g_autofree gchar *forged = NULL;
  WrAction *action;

  a.conn = wr_room_handler_connect (f->handler, &a, f->now);
  frame (f, &a, join);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_LOAD, NULL));
  g_assert_null (find_action (f, WR_ACTION_SEND, NULL));
  g_assert_null (find_action (f, WR_ACTION_CLUSTER_JOIN, NULL));

  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_snapshot (f->handler, "r", 5, members, 1, f->now,
      f->actions);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_JOIN, NULL));
  g_assert_null (find_action (f, WR_ACTION_SEND, NULL));

  echo_join (f, 6);
  welcome = sent_to (f, &a);
  g_assert_cmpint (welcome->type, ==, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  g_assert_cmpuint (welcome->peers->len, ==, 1);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) welcome->peers->pdata[0])->id,
      ==, bob->id);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 1);
  g_assert_cmpuint (wr_room_handler_get_n_remote_peers (f->handler), ==, 1);

  /* an old event (seq 6 applied) changes nothing */
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_left (f->handler, "r", 4, bob->id, OTHER,
      GST_WEBRTC_ROOM_LEFT_LEFT, f->actions);
  g_assert_cmpuint (f->actions->len, ==, 0);

  /* a signal to bob goes to his server */
  frame (f, &a, "{\"type\":\"signal\",\"to\":\"1111111111111111\","
      "\"data\":{\"x\":1}}");
  action = find_action (f, WR_ACTION_CLUSTER_SEND, NULL);
  g_assert_nonnull (action);
  g_assert_cmpstr (action->server, ==, OTHER);
  g_assert_cmpstr (action->peer, ==, bob->id);

  /* bob's signal comes in; a forged one (unknown sender) and one that is
   * no signal frame do not */
  signal = g_strdup_printf ("{\"type\":\"signal\",\"from\":\"%s\","
      "\"data\":{\"y\":2}}", bob->id);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_deliver (f->handler, welcome->peer, signal,
      strlen (signal), f->actions);
  msg = sent_to (f, &a);
  g_assert_cmpint (msg->type, ==, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (msg->from, ==, bob->id);
  forged = g_strdup_printf ("{\"type\":\"signal\",\"from\":\"%s\","
      "\"data\":{}}", "2222222222222222");
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_deliver (f->handler, welcome->peer, forged,
      strlen (forged), f->actions);
  wr_room_handler_cluster_deliver (f->handler, welcome->peer, "{]", 2,
      f->actions);
  wr_room_handler_cluster_deliver (f->handler, welcome->peer,
      "{\"type\":\"welcome\"}", 18, f->actions);
  g_assert_cmpuint (f->actions->len, ==, 0);

  /* bob leaves: alice is told */
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_left (f->handler, "r", 7, bob->id, OTHER,
      GST_WEBRTC_ROOM_LEFT_TIMEOUT, f->actions);
  msg = sent_to (f, &a);
  g_assert_cmpint (msg->type, ==, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT);
  g_assert_cmpint (msg->reason, ==, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  g_assert_cmpuint (wr_room_handler_get_n_remote_peers (f->handler), ==, 0);

  /* alice leaves: the broker is told, the room is let go */
  frame (f, &a, "{\"type\":\"leave\"}");
  action = find_action (f, WR_ACTION_CLUSTER_LEAVE, NULL);
  g_assert_nonnull (action);
  g_assert_cmpstr (action->peer, ==, welcome->peer);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_UNLOAD, NULL));
  wr_room_handler_disconnect (f->handler, a.conn, WR_DISCONNECT_CLEAN,
      f->now, f->actions);
  g_assert_cmpuint (wr_room_handler_get_n_rooms (f->handler), ==, 0);
}

/* A peer of ours resumes on another server: it is let go here without a
 * word to the others, its old connection closed (replaced) */
static void
test_moved_away (Fixture * f, gconstpointer data)
{
  Conn a = { "a", NULL }, b = { "b", NULL };
  g_autofree gchar *join = gst_webrtc_room_build_join ("r", NULL, NULL,
      TRUE, NULL, NULL);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomPeerInfo) info = NULL;
  WrClusterMember moved;

  a.conn = wr_room_handler_connect (f->handler, &a, f->now);
  b.conn = wr_room_handler_connect (f->handler, &b, f->now);
  frame (f, &a, join);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_snapshot (f->handler, "r", 0, NULL, 0, f->now,
      f->actions);
  echo_join (f, 1);
  wa = sent_to (f, &a);
  frame (f, &b, join);
  echo_join (f, 2);

  info = remote_info (wa->peer, NULL);
  moved.server = OTHER;
  moved.gen = GEN;
  moved.info = info;
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_joined (f->handler, "r", 3, &moved, f->now,
      f->actions);
  g_assert_cmpint (find_action (f, WR_ACTION_CLOSE, &a)->code, ==,
      WR_CLOSE_REPLACED);
  g_assert_null (find_action (f, WR_ACTION_SEND, &b));
  g_assert_null (find_action (f, WR_ACTION_CLUSTER_LEAVE, NULL));
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 1);
  g_assert_cmpuint (wr_room_handler_get_n_remote_peers (f->handler), ==, 1);
  wr_room_handler_disconnect (f->handler, a.conn, WR_DISCONNECT_LOST, f->now,
      f->actions);
  wr_room_handler_disconnect (f->handler, b.conn, WR_DISCONNECT_LOST, f->now,
      f->actions);
}

/* A room full on the broker's count, a refused resume becoming a fresh
 * join, a connection gone while its join was under way */
static void
test_refusals (Fixture * f, gconstpointer data)
{
  Conn a = { "a", NULL }, b = { "b", NULL };
  g_autofree gchar *join = gst_webrtc_room_build_join ("r", NULL, NULL,
      TRUE, NULL, NULL);
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autofree gchar *id = NULL;

  a.conn = wr_room_handler_connect (f->handler, &a, f->now);
  b.conn = wr_room_handler_connect (f->handler, &b, f->now);
  frame (f, &a, join);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_snapshot (f->handler, "r", 0, NULL, 0, f->now,
      f->actions);
  id = g_strdup (find_action (f, WR_ACTION_CLUSTER_JOIN, NULL)->peer);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_join_refused (f->handler, "r", id,
      WR_CLUSTER_REFUSED_FULL, f->now, f->actions);
  msg = sent_to (f, &a);
  g_assert_cmpint (msg->code, ==, GST_WEBRTC_ROOM_ERROR_ROOM_FULL);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_UNLOAD, NULL));

  /* b's join is under way when its connection closes cleanly: the
   * broker's answer makes it join and leave at once */
  frame (f, &b, join);
  g_array_set_size (f->actions, 0);
  wr_room_handler_cluster_snapshot (f->handler, "r", 1, NULL, 0, f->now,
      f->actions);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_JOIN, NULL));
  {
    /* the JOIN is kept: the disconnect's actions come in between */
    GArray *saved = f->actions;

    f->actions = wr_actions_new ();
    wr_room_handler_disconnect (f->handler, b.conn, WR_DISCONNECT_CLEAN,
        f->now, f->actions);
    g_assert_cmpuint (f->actions->len, ==, 0);
    g_array_unref (f->actions);
    f->actions = saved;
  }
  echo_join (f, 2);
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_LEAVE, NULL));
  g_assert_nonnull (find_action (f, WR_ACTION_CLUSTER_UNLOAD, NULL));
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 0);
  wr_room_handler_disconnect (f->handler, a.conn, WR_DISCONNECT_LOST, f->now,
      f->actions);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/room-cluster/join-through-broker", Fixture, NULL, setup,
      test_join_through_broker, teardown);
  g_test_add ("/room-cluster/moved-away", Fixture, NULL, setup,
      test_moved_away, teardown);
  g_test_add ("/room-cluster/refusals", Fixture, NULL, setup, test_refusals,
      teardown);
  return g_test_run ();
}
