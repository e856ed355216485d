/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The room state machine without sockets: frames in, actions out, time
 * injected. */

#include "room-handler.h"
#include "tokens.h"

#include <string.h>

#define SEC ((gint64) G_USEC_PER_SEC)
#define T0 ((gint64) 1700000000 * SEC)

typedef struct
{
  const gchar *name;
  WrRoomConn *conn;
} Conn;

typedef struct
{
  WrRoomHandler *handler;
  GBytes *secret;
  GBytes *join_secret;
  GArray *actions;
  gint64 now;
} Fixture;

static void
setup_full (Fixture * f, guint max_peers, gboolean join_tokens, GBytes * secret)
{
  WrRoomHandlerConfig config = {
    .max_peers_per_room = max_peers,
    .resume_grace_us = 30 * SEC,
    .join_timeout_us = 10 * SEC,
  };

  f->secret = secret ? g_bytes_ref (secret) :
      g_bytes_new_static ("resume-secret-for-unit-tests", 28);
  if (join_tokens)
    f->join_secret = g_bytes_new_static ("join-secret-for-unit-tests", 26);
  config.resume_secret = f->secret;
  config.join_secret = f->join_secret;
  f->now = T0;
  f->handler = wr_room_handler_new (&config, f->now);
  f->actions = wr_actions_new ();
}

static void
setup (Fixture * f, gconstpointer data)
{
  setup_full (f, GPOINTER_TO_UINT (data), FALSE, NULL);
}

static void
setup_tokens (Fixture * f, gconstpointer data)
{
  setup_full (f, 0, TRUE, NULL);
}

static void
teardown (Fixture * f, gconstpointer data)
{
  wr_room_handler_free (f->handler);
  g_bytes_unref (f->secret);
  g_clear_pointer (&f->join_secret, g_bytes_unref);
  g_array_unref (f->actions);
}

static void
open_conn (Fixture * f, Conn * c, const gchar * name)
{
  c->name = name;
  c->conn = wr_room_handler_connect (f->handler, c, f->now);
}

static void
disconnect (Fixture * f, Conn * c, WrDisconnectReason reason)
{
  wr_room_handler_disconnect (f->handler, c->conn, reason, f->now, f->actions);
  c->conn = NULL;
}

static void
frame (Fixture * f, Conn * c, const gchar * text)
{
  g_array_set_size (f->actions, 0);
  wr_room_handler_frame (f->handler, c->conn, text, strlen (text), f->now,
      f->actions);
}

static void
tick (Fixture * f, gint64 at)
{
  f->now = at;
  g_array_set_size (f->actions, 0);
  wr_room_handler_tick (f->handler, f->now, f->actions);
}

static guint
count_for (Fixture * f, Conn * c)
{
  guint i, n = 0;

  for (i = 0; i < f->actions->len; i++)
    n += g_array_index (f->actions, WrAction, i).conn == c;
  return n;
}

/* The @nth (0-based) frame sent to @c in the last actions, parsed */
static GstWebRTCRoomMessage *
sent_to (Fixture * f, Conn * c, guint nth)
{
  guint i;

  for (i = 0; i < f->actions->len; i++) {
    WrAction *a = &g_array_index (f->actions, WrAction, i);

    if (a->conn != c || a->type != WR_ACTION_SEND)
      continue;
    if (nth-- == 0) {
      g_autoptr (GError) error = NULL;
      GstWebRTCRoomMessage *msg = gst_webrtc_room_message_parse (a->text, -1,
          GST_WEBRTC_ROOM_TO_CLIENT, NULL, &error);

      g_assert_no_error (error);
      return msg;
    }
  }
  g_error ("no frame #%u for %s", nth, c->name);
  return NULL;
}

static gushort
close_code_for (Fixture * f, Conn * c)
{
  guint i;

  for (i = 0; i < f->actions->len; i++) {
    WrAction *a = &g_array_index (f->actions, WrAction, i);

    if (a->conn == c && a->type == WR_ACTION_CLOSE)
      return a->code;
  }
  return 0;
}

static void
assert_error (Fixture * f, Conn * c, GstWebRTCRoomError code)
{
  g_autoptr (GstWebRTCRoomMessage) msg = sent_to (f, c, 0);

  g_assert_cmpint (msg->type, ==, GST_WEBRTC_ROOM_MESSAGE_ERROR);
  g_assert_cmpint (msg->code, ==, code);
}

/* join; returns the welcome */
static GstWebRTCRoomMessage *
join_full (Fixture * f, Conn * c, const gchar * room, const gchar * token,
    const gchar * resume)
{
  g_autofree gchar *text = gst_webrtc_room_build_join (room, c->name, NULL,
      TRUE, token, resume);
  GstWebRTCRoomMessage *welcome;

  frame (f, c, text);
  welcome = sent_to (f, c, 0);
  g_assert_cmpint (welcome->type, ==, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  return welcome;
}

static gchar *
join (Fixture * f, Conn * c, const gchar * room)
{
  g_autoptr (GstWebRTCRoomMessage) welcome = join_full (f, c, room, NULL, NULL);

  return g_strdup (welcome->peer);
}

static void
test_membership (Fixture * f, gconstpointer data)
{
  Conn a, b, c;
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wc = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  guint i;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  open_conn (f, &c, "c");
  wa = join_full (f, &a, "r", NULL, NULL);
  g_assert_cmpuint (f->actions->len, ==, 1);
  g_assert_cmpuint (wa->peers->len, ==, 0);
  g_assert_cmpuint (strlen (wa->peer), ==, 16);
  for (i = 0; i < 16; i++)
    g_assert_true (g_ascii_isxdigit (wa->peer[i]));

  wb = join_full (f, &b, "r", NULL, NULL);
  joined = sent_to (f, &a, 0);
  g_assert_cmpint (joined->type, ==, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  g_assert_cmpstr (joined->peer_info->id, ==, wb->peer);
  g_assert_cmpstr (joined->peer_info->name, ==, "b");

  wc = join_full (f, &c, "r", NULL, NULL);
  /* others only, in join order */
  g_assert_cmpuint (wc->peers->len, ==, 2);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) wc->peers->pdata[0])->id, ==,
      wa->peer);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) wc->peers->pdata[1])->id, ==,
      wb->peer);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 3);
  g_assert_cmpuint (wr_room_handler_get_n_rooms (f->handler), ==, 1);

  /* already-joined */
  frame (f, &a, "{\"type\":\"join\",\"room\":\"other\"}");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_ALREADY_JOINED);
  g_assert_cmpuint (f->actions->len, ==, 1);

  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
  g_assert_cmpuint (wr_room_handler_get_n_rooms (f->handler), ==, 0);
  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->connections, ==, 0);
}

static void
test_relay (Fixture * f, gconstpointer data)
{
  Conn a, b, c, x;
  g_autofree gchar *ida = NULL, *idb = NULL, *idc = NULL, *idx = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;
  g_autoptr (GstWebRTCRoomMessage) m1 = NULL;
  g_autoptr (GstWebRTCRoomMessage) m2 = NULL;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  open_conn (f, &c, "c");
  open_conn (f, &x, "x");
  ida = join (f, &a, "r");
  idb = join (f, &b, "r");
  idc = join (f, &c, "r");
  idx = join (f, &x, "elsewhere");

  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\","
      "\"from\":\"%s\",\"data\":{\"k\":1}}", idb, idc);
  frame (f, &a, text);
  g_assert_cmpuint (f->actions->len, ==, 1);
  sig = sent_to (f, &b, 0);
  g_assert_cmpint (sig->type, ==, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, ida);
  g_assert_cmpint (json_object_get_int_member (sig->data, "k"), ==, 1);

  /* isolation: another room's peer is unknown */
  g_free (text);
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":{}}",
      idx);
  frame (f, &a, text);
  g_assert_cmpuint (f->actions->len, ==, 1);
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER);
  frame (f, &x, "{\"type\":\"broadcast\",\"data\":{}}");
  g_assert_cmpuint (f->actions->len, ==, 0);

  frame (f, &a, "{\"type\":\"broadcast\",\"data\":{\"all\":true}}");
  g_assert_cmpuint (f->actions->len, ==, 2);
  g_assert_cmpuint (count_for (f, &a), ==, 0);
  g_assert_cmpuint (count_for (f, &x), ==, 0);
  m1 = sent_to (f, &b, 0);
  m2 = sent_to (f, &c, 0);
  g_assert_cmpint (m1->type, ==, GST_WEBRTC_ROOM_MESSAGE_BROADCAST);
  g_assert_cmpstr (m1->from, ==, ida);
  g_assert_cmpstr (m2->from, ==, ida);
  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->relayed, ==, 3);

  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
  disconnect (f, &x, WR_DISCONNECT_CLEAN);
}

static void
test_errors (Fixture * f, gconstpointer data)
{
  Conn a;
  GstWebRTCRoomMessage welcome = {.type = GST_WEBRTC_ROOM_MESSAGE_WELCOME };

  open_conn (f, &a, "a");
  frame (f, &a, "{\"type\":\"signal\",\"to\":\"x\",\"data\":{}}");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_NOT_JOINED);
  frame (f, &a, "{\"type\":\"leave\"}");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_NOT_JOINED);
  g_assert_cmpuint (close_code_for (f, &a), ==, 0);
  frame (f, &a, "{\"type\":");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_BAD_JSON);
  frame (f, &a, "{\"type\":\"join\",\"room\":\"no/slash\"}");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  frame (f, &a, "{\"type\":\"hello\"}");
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE);
  /* a parsed server-only message handed in is refused too */
  g_array_set_size (f->actions, 0);
  wr_room_handler_message (f->handler, a.conn, &welcome, f->now, f->actions);
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE);

  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->errors
      [GST_WEBRTC_ROOM_ERROR_NOT_JOINED], ==, 2);
  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->errors
      [GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE], ==, 2);
  frame (f, &a, "{\"type\":\"ping\",\"id\":[1]}");
  {
    g_autoptr (GstWebRTCRoomMessage) pong = sent_to (f, &a, 0);
    g_assert_cmpint (pong->type, ==, GST_WEBRTC_ROOM_MESSAGE_PONG);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (pong->id));
  }
  disconnect (f, &a, WR_DISCONNECT_LOST);
}

static void
assert_peer_left (Fixture * f, Conn * c, const gchar * id,
    GstWebRTCRoomPeerLeftReason reason)
{
  g_autoptr (GstWebRTCRoomMessage) left = sent_to (f, c, 0);

  g_assert_cmpint (left->type, ==, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT);
  g_assert_cmpstr (left->peer, ==, id);
  g_assert_cmpint (left->reason, ==, reason);
}

static void
test_leave (Fixture * f, gconstpointer data)
{
  Conn a, b, c;
  g_autofree gchar *ida = NULL, *idb = NULL, *idc = NULL;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  open_conn (f, &c, "c");
  ida = join (f, &a, "r");
  idb = join (f, &b, "r");
  idc = join (f, &c, "r");

  frame (f, &b, "{\"type\":\"leave\"}");
  g_assert_cmpuint (close_code_for (f, &b), ==, 1000);
  assert_peer_left (f, &a, idb, GST_WEBRTC_ROOM_LEFT_LEFT);
  assert_peer_left (f, &c, idb, GST_WEBRTC_ROOM_LEFT_LEFT);
  g_assert_true (wr_room_conn_is_closing (b.conn));
  /* frames after leave are ignored */
  frame (f, &b, "{\"type\":\"ping\"}");
  g_assert_cmpuint (f->actions->len, ==, 0);
  g_array_set_size (f->actions, 0);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  g_assert_cmpuint (f->actions->len, ==, 0);

  g_array_set_size (f->actions, 0);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
  assert_peer_left (f, &a, idc, GST_WEBRTC_ROOM_LEFT_LEFT);

  /* kicked by the glue (e.g. a flood) */
  g_array_set_size (f->actions, 0);
  open_conn (f, &c, "c");
  idc = (g_free (idc), join (f, &c, "r"));
  g_array_set_size (f->actions, 0);
  wr_room_handler_reject (f->handler, c.conn,
      GST_WEBRTC_ROOM_ERROR_RATE_LIMITED, "flood", NULL, 1008, f->actions);
  assert_error (f, &c, GST_WEBRTC_ROOM_ERROR_RATE_LIMITED);
  g_assert_cmpuint (close_code_for (f, &c), ==, 1008);
  assert_peer_left (f, &a, idc, GST_WEBRTC_ROOM_LEFT_KICKED);
  disconnect (f, &c, WR_DISCONNECT_LOST);
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
}

static void
test_lost_grace_expiry (Fixture * f, gconstpointer data)
{
  Conn a, b, b2;
  g_autofree gchar *ida = NULL, *idb = NULL, *text = NULL;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  ida = join (f, &a, "r");
  idb = join (f, &b, "r");

  f->now += 5 * SEC;
  g_array_set_size (f->actions, 0);
  disconnect (f, &b, WR_DISCONNECT_LOST);
  g_assert_cmpuint (f->actions->len, ==, 0);
  g_assert_cmpint (wr_room_handler_next_deadline (f->handler), ==,
      f->now + 30 * SEC);

  /* still a member meanwhile: listed to newcomers, signals dropped */
  open_conn (f, &b2, "b2");
  {
    g_autoptr (GstWebRTCRoomMessage) w = join_full (f, &b2, "r", NULL, NULL);
    g_assert_cmpuint (w->peers->len, ==, 2);
  }
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":{}}",
      idb);
  frame (f, &a, text);
  g_assert_cmpuint (f->actions->len, ==, 0);

  tick (f, T0 + 34 * SEC);
  g_assert_cmpuint (f->actions->len, ==, 0);
  tick (f, T0 + 35 * SEC);
  assert_peer_left (f, &a, idb, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  assert_peer_left (f, &b2, idb, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 2);
  g_assert_cmpint (wr_room_handler_next_deadline (f->handler), ==, G_MAXINT64);

  /* ping timeout is a loss too */
  g_array_set_size (f->actions, 0);
  disconnect (f, &b2, WR_DISCONNECT_PING_TIMEOUT);
  g_assert_cmpuint (f->actions->len, ==, 0);
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
}

static void
test_resume (Fixture * f, gconstpointer data)
{
  Conn a, b, b2, b3, late;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb3 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wl = NULL;
  g_autofree gchar *ida = NULL;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  ida = join (f, &a, "r");
  wb = join_full (f, &b, "r", NULL, NULL);
  disconnect (f, &b, WR_DISCONNECT_LOST);

  f->now += 10 * SEC;
  open_conn (f, &b2, "b2");
  wb2 = join_full (f, &b2, "r", NULL, wb->resume);
  g_assert_cmpstr (wb2->peer, ==, wb->peer);
  g_assert_cmpstr (wb2->resume, !=, wb->resume);
  /* the others see nothing */
  g_assert_cmpuint (f->actions->len, ==, 1);
  g_assert_cmpint (wr_room_handler_next_deadline (f->handler), ==, G_MAXINT64);

  /* resume while the old connection is still attached: it is replaced */
  open_conn (f, &b3, "b3");
  wb3 = join_full (f, &b3, "r", NULL, wb2->resume);
  g_assert_cmpstr (wb3->peer, ==, wb->peer);
  g_assert_cmpuint (close_code_for (f, &b2), ==, 4000);
  g_assert_cmpuint (count_for (f, &a), ==, 0);
  disconnect (f, &b2, WR_DISCONNECT_CLEAN);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 2);

  /* lost again, grace expires, then the token is worth a fresh join */
  disconnect (f, &b3, WR_DISCONNECT_LOST);
  tick (f, f->now + 31 * SEC);
  assert_peer_left (f, &a, wb->peer, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  open_conn (f, &late, "late");
  wl = join_full (f, &late, "r", NULL, wb3->resume);
  g_assert_cmpstr (wl->peer, !=, wb->peer);
  disconnect (f, &late, WR_DISCONNECT_CLEAN);
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
}

static void
test_resume_other_room (Fixture * f, gconstpointer data)
{
  Conn b, b2;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;

  open_conn (f, &b, "b");
  wb = join_full (f, &b, "r", NULL, NULL);
  disconnect (f, &b, WR_DISCONNECT_LOST);
  open_conn (f, &b2, "b2");
  wb2 = join_full (f, &b2, "other", NULL, wb->resume);
  g_assert_cmpstr (wb2->peer, !=, wb->peer);
  disconnect (f, &b2, WR_DISCONNECT_CLEAN);
}

static void
test_resume_restart (Fixture * f, gconstpointer data)
{
  Fixture f2 = { 0 }, f3 = { 0 };
  Conn a, b, a2, b2, x;
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wx = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (GBytes) other_secret = g_bytes_new_static ("another-one", 11);

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  wa = join_full (f, &a, "r", NULL, NULL);
  wb = join_full (f, &b, "r", NULL, NULL);

  /* a new server instance with the same secret */
  setup_full (&f2, 0, FALSE, f->secret);
  f2.now = f->now + 5 * SEC;
  open_conn (&f2, &a2, "a2");
  open_conn (&f2, &b2, "b2");
  wa2 = join_full (&f2, &a2, "r", NULL, wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);
  wb2 = join_full (&f2, &b2, "r", NULL, wb->resume);
  g_assert_cmpstr (wb2->peer, ==, wb->peer);
  joined = sent_to (&f2, &a2, 0);
  g_assert_cmpstr (joined->peer_info->id, ==, wb->peer);

  /* another secret: fresh join */
  setup_full (&f3, 0, FALSE, other_secret);
  open_conn (&f3, &x, "x");
  wx = join_full (&f3, &x, "r", NULL, wa->resume);
  g_assert_cmpstr (wx->peer, !=, wa->peer);

  /* expired token: fresh join */
  disconnect (&f2, &a2, WR_DISCONNECT_CLEAN);
  f2.now += 25 * 3600 * SEC;
  open_conn (&f2, &a2, "a2");
  g_clear_pointer (&wa2, gst_webrtc_room_message_free);
  wa2 = join_full (&f2, &a2, "r", NULL, wa->resume);
  g_assert_cmpstr (wa2->peer, !=, wa->peer);

  disconnect (&f2, &a2, WR_DISCONNECT_CLEAN);
  disconnect (&f2, &b2, WR_DISCONNECT_CLEAN);
  disconnect (&f3, &x, WR_DISCONNECT_CLEAN);
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  teardown (&f2, NULL);
  teardown (&f3, NULL);
}

/* Every frame the handler produced in the last actions is valid UTF-8 and
 * parses as a server frame (what libsoup needs to send it at all). */
static void
assert_actions_valid (Fixture * f)
{
  guint i;

  for (i = 0; i < f->actions->len; i++) {
    WrAction *a = &g_array_index (f->actions, WrAction, i);
    g_autoptr (GstWebRTCRoomMessage) msg = NULL;
    g_autoptr (GError) error = NULL;

    if (a->type != WR_ACTION_SEND)
      continue;
    g_assert_true (g_utf8_validate (a->text, -1, NULL));
    msg = gst_webrtc_room_message_parse (a->text, -1,
        GST_WEBRTC_ROOM_TO_CLIENT, NULL, &error);
    g_assert_no_error (error);
  }
}

static void
assert_bad_message_only_to (Fixture * f, Conn * c, const gchar * ref)
{
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;

  g_assert_cmpuint (f->actions->len, ==, 1);
  msg = sent_to (f, c, 0);
  g_assert_cmpint (msg->type, ==, GST_WEBRTC_ROOM_MESSAGE_ERROR);
  g_assert_cmpstr (msg->code_string, ==, "bad-message");
  /* json-glib cannot read some of them at all: no ref then */
  if (ref)
    g_assert_true (msg->ref == NULL || g_str_equal (msg->ref, ref));
  g_assert_cmpuint (close_code_for (f, c), ==, 0);
}

/* Issue 11, room poisoning: nothing stored or echoed can make a later
 * frame invalid; the offending frame gets bad-message, the room works. */
static void
test_poisoning (Fixture * f, gconstpointer data)
{
  static const gchar *const bad_joins[] = {
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"x\":1e999}}",
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"x\":[-1e999]}}",
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"x\":\"\\ud800x\"}}",
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"\\udc00\":1}}",
    "{\"type\":\"join\",\"room\":\"r\",\"name\":\"\\ud800x\"}",
    "{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\ud800\\u0041\"}",
    "{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\u0000b\"}",
    "{\"type\":\"join\",\"room\":\"a\\u0000b\"}",
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"n\":12345678901234567890}}",
    "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"n\":9007199254740992}}",
  };
  static const gchar *const bad_pings[] = {
    "{\"type\":\"ping\",\"id\":1e30}",
    "{\"type\":\"ping\",\"id\":1.5}",
    "{\"type\":\"ping\",\"id\":[1,2.0]}",
    "{\"type\":\"ping\",\"id\":-9007199254740992}",
    "{\"type\":\"ping\",\"id\":\"\\udfff\"}",
  };
  Conn a, b, c, x, y;
  g_autofree gchar *ida = NULL, *idb = NULL, *idx = NULL, *idy = NULL;
  g_autofree gchar *text = NULL, *deep = NULL;
  g_autoptr (GstWebRTCRoomMessage) wc = NULL;
  g_autoptr (GstWebRTCRoomMessage) pong = NULL;
  g_autoptr (GstWebRTCRoomMessage) relayed = NULL;
  GString *nest;
  guint i;

  open_conn (f, &a, "a");
  ida = join (f, &a, "r");
  open_conn (f, &x, "x");
  open_conn (f, &y, "y");
  idx = join (f, &x, "other");
  idy = join (f, &y, "other");

  open_conn (f, &b, "b");
  for (i = 0; i < G_N_ELEMENTS (bad_joins); i++) {
    frame (f, &b, bad_joins[i]);
    assert_bad_message_only_to (f, &b, "join");
    g_assert_null (wr_room_conn_get_peer_id (b.conn));
  }
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 3);
  g_assert_cmpuint (wr_room_handler_get_n_rooms (f->handler), ==, 2);

  for (i = 0; i < G_N_ELEMENTS (bad_pings); i++) {
    frame (f, &b, bad_pings[i]);
    assert_bad_message_only_to (f, &b, "ping");
  }
  /* what is accepted is echoed exactly */
  frame (f, &b, "{\"type\":\"ping\",\"id\":9007199254740991}");
  g_assert_cmpstr (g_array_index (f->actions, WrAction, 0).text, ==,
      "{\"type\":\"pong\",\"id\":9007199254740991}");
  frame (f, &b, "{\"type\":\"ping\",\"id\":-9007199254740991}");
  pong = sent_to (f, &b, 0);
  g_assert_cmpint (json_node_get_int (pong->id), ==,
      -GST_WEBRTC_ROOM_MAX_JSON_INT);
  frame (f, &b, "{\"type\":\"ping\",\"id\":\"caf\\u00e9 \\ud83d\\ude00\"}");
  g_assert_cmpstr (g_array_index (f->actions, WrAction, 0).text, ==,
      "{\"type\":\"pong\",\"id\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}");

  /* a big but finite number is fine and re-serialised as JSON */
  idb = NULL;
  frame (f, &b, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"b\","
      "\"meta\":{\"x\":1e30,\"y\":-0.0,\"z\":5e-324}}");
  assert_actions_valid (f);
  idb = g_strdup (wr_room_conn_get_peer_id (b.conn));
  g_assert_nonnull (idb);

  /* relayed data must be re-serialisable: else bad-message to the sender
   * only, nobody else gets anything */
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":"
      "{\"x\":1e999}}", ida);
  frame (f, &b, text);
  assert_bad_message_only_to (f, &b, "signal");
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":"
      "{\"candidate\":{\"candidate\":\"\\ud800\"}}}", ida);
  frame (f, &b, text);
  assert_bad_message_only_to (f, &b, "signal");
  frame (f, &b, "{\"type\":\"broadcast\",\"data\":{\"s\":\"\\udbff\\u0020\"}}");
  assert_bad_message_only_to (f, &b, "broadcast");

  /* depth: 32 levels pass, 33 do not, 60k cannot crash anything */
  nest = g_string_new ("{\"type\":\"broadcast\",\"data\":{\"d\":");
  for (i = 0; i < GST_WEBRTC_ROOM_MAX_JSON_DEPTH - 2; i++)
    g_string_append_c (nest, '[');
  for (i = 0; i < GST_WEBRTC_ROOM_MAX_JSON_DEPTH - 2; i++)
    g_string_append_c (nest, ']');
  g_string_append (nest, "}}");
  frame (f, &b, nest->str);
  g_assert_cmpuint (f->actions->len, ==, 1);
  relayed = sent_to (f, &a, 0);
  g_assert_cmpint (relayed->type, ==, GST_WEBRTC_ROOM_MESSAGE_BROADCAST);
  g_string_insert_c (nest, strchr (nest->str, '[') - nest->str, '[');
  g_string_insert_c (nest, nest->len - 2, ']');
  frame (f, &b, nest->str);
  assert_bad_message_only_to (f, &b, NULL);
  g_string_free (nest, TRUE);
  deep = g_strnfill (60000, '[');
  frame (f, &b, deep);
  assert_bad_message_only_to (f, &b, NULL);

  /* meta nested to the limit: later welcomes stay within the frame depth
   * limit; one more level is refused */
  {
    Conn m;
    GString *meta = g_string_new ("{\"type\":\"join\",\"room\":\"r\","
        "\"meta\":");

    for (i = 0; i < GST_WEBRTC_ROOM_MAX_META_DEPTH; i++)
      g_string_append (meta, "{\"m\":");
    g_string_append (meta, "1");
    for (i = 0; i < GST_WEBRTC_ROOM_MAX_META_DEPTH; i++)
      g_string_append_c (meta, '}');
    g_string_append_c (meta, '}');
    open_conn (f, &m, "m");
    g_string_insert (meta, strlen ("{\"type\":\"join\",\"room\":\"r\","
            "\"meta\":"), "{\"m\":");
    g_string_insert_c (meta, meta->len - 1, '}');
    frame (f, &m, meta->str);
    assert_bad_message_only_to (f, &m, "join");
    g_string_erase (meta, strlen ("{\"type\":\"join\",\"room\":\"r\","
            "\"meta\":"), strlen ("{\"m\":"));
    g_string_erase (meta, meta->len - 2, 1);
    frame (f, &m, meta->str);
    assert_actions_valid (f);
    g_assert_nonnull (wr_room_conn_get_peer_id (m.conn));
    g_string_free (meta, TRUE);
    frame (f, &m, "{\"type\":\"leave\"}");
    disconnect (f, &m, WR_DISCONNECT_CLEAN);
  }

  /* later joiners get a valid welcome listing everybody */
  open_conn (f, &c, "c");
  wc = join_full (f, &c, "r", NULL, NULL);
  assert_actions_valid (f);
  g_assert_cmpuint (wc->peers->len, ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (((GstWebRTCRoomPeerInfo *)
              wc->peers->pdata[1])->meta, "x"), ==, 1e30);

  /* the other room kept relaying */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":"
      "{\"k\":1}}", idy);
  frame (f, &x, text);
  g_clear_pointer (&relayed, gst_webrtc_room_message_free);
  relayed = sent_to (f, &y, 0);
  g_assert_cmpstr (relayed->from, ==, idx);

  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
  disconnect (f, &x, WR_DISCONNECT_CLEAN);
  disconnect (f, &y, WR_DISCONNECT_CLEAN);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 0);
}

/* Issue 11, resume tokens: a token resumes its peer once; a superseded
 * one (an older welcome's) is dead; a token of a peer that left is worth
 * no more than no token. */
static void
test_resume_once (Fixture * f, gconstpointer data)
{
  Conn a, b, b2, b3, b4, b5;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w3 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb4 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w5 = NULL;
  g_autofree gchar *ida = NULL;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  ida = join (f, &a, "r");
  wb = join_full (f, &b, "r", NULL, NULL);
  disconnect (f, &b, WR_DISCONNECT_LOST);

  open_conn (f, &b2, "b2");
  wb2 = join_full (f, &b2, "r", NULL, wb->resume);
  g_assert_cmpstr (wb2->peer, ==, wb->peer);

  /* the first token again, while b2 is live: no takeover, a new peer */
  open_conn (f, &b3, "b3");
  w3 = join_full (f, &b3, "r", NULL, wb->resume);
  g_assert_cmpstr (w3->peer, !=, wb->peer);
  g_assert_cmpuint (close_code_for (f, &b2), ==, 0);
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 3);

  /* the current token still works (and replaces b2) */
  open_conn (f, &b4, "b4");
  wb4 = join_full (f, &b4, "r", NULL, wb2->resume);
  g_assert_cmpstr (wb4->peer, ==, wb->peer);
  g_assert_cmpuint (close_code_for (f, &b2), ==, 4000);
  disconnect (f, &b2, WR_DISCONNECT_LOST);

  /* b leaves: its last token gives a fresh join, nothing more */
  g_array_set_size (f->actions, 0);
  frame (f, &b4, "{\"type\":\"leave\"}");
  disconnect (f, &b4, WR_DISCONNECT_CLEAN);
  open_conn (f, &b5, "b5");
  w5 = join_full (f, &b5, "r", NULL, wb4->resume);
  g_assert_cmpstr (w5->peer, !=, wb->peer);

  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &b3, WR_DISCONNECT_CLEAN);
  disconnect (f, &b5, WR_DISCONNECT_CLEAN);
}

/* With join tokens required, a used, superseded or orphaned resume token
 * does not stand for a join token. */
static void
test_resume_tokens_required (Fixture * f, gconstpointer data)
{
  gint64 now_s = f->now / SEC;
  g_autofree gchar *good = wr_token_new_join (f->join_secret, "r", now_s + 60);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autofree gchar *superseded = NULL, *last = NULL;
  Conn a, a2, c;

  open_conn (f, &a, "a");
  wa = join_full (f, &a, "r", good, NULL);
  disconnect (f, &a, WR_DISCONNECT_LOST);
  open_conn (f, &a2, "a2");
  wa2 = join_full (f, &a2, "r", NULL, wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);
  superseded = gst_webrtc_room_build_join ("r", NULL, NULL, TRUE, NULL,
      wa->resume);
  last = gst_webrtc_room_build_join ("r", NULL, NULL, TRUE, NULL, wa2->resume);

  open_conn (f, &c, "c");
  frame (f, &c, superseded);
  assert_error (f, &c, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (close_code_for (f, &c), ==, 1008);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);

  /* a leaves; 10 replays of its last token within 24 h: all refused */
  disconnect (f, &a2, WR_DISCONNECT_CLEAN);
  for (guint i = 0; i < 10; i++) {
    f->now += 3600 * SEC;
    open_conn (f, &c, "c");
    frame (f, &c, last);
    assert_error (f, &c, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED);
    disconnect (f, &c, WR_DISCONNECT_CLEAN);
  }
  g_assert_cmpuint (wr_room_handler_get_n_peers (f->handler), ==, 0);
}

/* After a restart (same secret), a token of the old instance re-creates
 * its peer once; a replay, while that peer lives or after it left, is
 * a fresh join. */
static void
test_resume_restart_once (Fixture * f, gconstpointer data)
{
  Fixture f2 = { 0 };
  Conn a, a2, r1, r2;
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w1 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w2 = NULL;

  open_conn (f, &a, "a");
  wa = join_full (f, &a, "r", NULL, NULL);

  setup_full (&f2, 0, FALSE, f->secret);
  f2.now = f->now + 5 * SEC;
  open_conn (&f2, &a2, "a2");
  wa2 = join_full (&f2, &a2, "r", NULL, wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);

  open_conn (&f2, &r1, "r1");
  w1 = join_full (&f2, &r1, "r", NULL, wa->resume);
  g_assert_cmpstr (w1->peer, !=, wa->peer);
  g_assert_cmpuint (close_code_for (&f2, &a2), ==, 0);

  disconnect (&f2, &a2, WR_DISCONNECT_CLEAN);
  open_conn (&f2, &r2, "r2");
  w2 = join_full (&f2, &r2, "r", NULL, wa->resume);
  g_assert_cmpstr (w2->peer, !=, wa->peer);

  /* the memory of used tokens is pruned once they expired */
  tick (&f2, f2.now + 25 * 3600 * SEC);
  tick (&f2, f2.now + 2 * 60 * SEC);

  disconnect (&f2, &r1, WR_DISCONNECT_CLEAN);
  disconnect (&f2, &r2, WR_DISCONNECT_CLEAN);
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  teardown (&f2, NULL);
}

static void
test_room_full (Fixture * f, gconstpointer data)
{
  Conn a, b, c, d;

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  open_conn (f, &c, "c");
  open_conn (f, &d, "d");
  g_free (join (f, &a, "r"));
  g_free (join (f, &b, "r"));
  frame (f, &c, "{\"type\":\"join\",\"room\":\"r\"}");
  assert_error (f, &c, GST_WEBRTC_ROOM_ERROR_ROOM_FULL);
  g_assert_cmpuint (f->actions->len, ==, 1);
  g_free (join (f, &c, "r2"));
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  g_free (join (f, &d, "r"));
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
  disconnect (f, &d, WR_DISCONNECT_CLEAN);
}

static void
test_join_timeout (Fixture * f, gconstpointer data)
{
  Conn a, b;

  open_conn (f, &a, "a");
  f->now += 2 * SEC;
  open_conn (f, &b, "b");
  g_free (join (f, &b, "r"));
  g_assert_cmpint (wr_room_handler_next_deadline (f->handler), ==,
      T0 + 10 * SEC);
  tick (f, T0 + 9 * SEC);
  g_assert_cmpuint (f->actions->len, ==, 0);
  tick (f, T0 + 10 * SEC);
  assert_error (f, &a, GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT);
  g_assert_cmpuint (close_code_for (f, &a), ==, 1008);
  g_assert_cmpuint (count_for (f, &b), ==, 0);
  tick (f, T0 + 20 * SEC);
  g_assert_cmpuint (f->actions->len, ==, 0);
  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->rejected, ==, 1);
  disconnect (f, &a, WR_DISCONNECT_LOST);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
}

static void
expect_unauthorized (Fixture * f, const gchar * token)
{
  Conn c;
  g_autofree gchar *text = gst_webrtc_room_build_join ("r", NULL, NULL, TRUE,
      token, NULL);

  open_conn (f, &c, "c");
  frame (f, &c, text);
  assert_error (f, &c, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (close_code_for (f, &c), ==, 1008);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
}

static void
test_join_tokens (Fixture * f, gconstpointer data)
{
  gint64 now_s = f->now / SEC;
  g_autofree gchar *good = wr_token_new_join (f->join_secret, "r", now_s + 1);
  g_autofree gchar *any = wr_token_new_join (f->join_secret, "*", now_s + 1);
  g_autofree gchar *expired = wr_token_new_join (f->join_secret, "r", now_s);
  g_autofree gchar *other = wr_token_new_join (f->join_secret, "x", now_s + 1);
  g_autofree gchar *resume_signed = wr_token_new_join (f->secret, "r",
      now_s + 1);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  Conn a, b, a2;

  expect_unauthorized (f, NULL);
  expect_unauthorized (f, expired);
  expect_unauthorized (f, other);
  expect_unauthorized (f, resume_signed);
  expect_unauthorized (f, "");
  expect_unauthorized (f, "a.b");
  g_assert_cmpuint (wr_room_handler_get_stats (f->handler)->rejected, ==, 6);

  open_conn (f, &a, "a");
  open_conn (f, &b, "b");
  wa = join_full (f, &a, "r", good, NULL);
  wb = join_full (f, &b, "r", any, NULL);
  /* a valid resume token stands for the join token */
  disconnect (f, &a, WR_DISCONNECT_LOST);
  f->now += 5 * SEC;
  open_conn (f, &a2, "a2");
  wa2 = join_full (f, &a2, "r", NULL, wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);
  disconnect (f, &a2, WR_DISCONNECT_CLEAN);
  disconnect (f, &b, WR_DISCONNECT_CLEAN);
}

static void
test_unique_ids (Fixture * f, gconstpointer data)
{
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);
  Conn *conns = g_new0 (Conn, 500);
  guint i;

  for (i = 0; i < 500; i++) {
    gchar *id;

    open_conn (f, &conns[i], "n");
    id = join (f, &conns[i], i % 2 ? "odd" : "even");
    g_assert_false (g_hash_table_contains (ids, id));
    g_hash_table_add (ids, id);
  }
  for (i = 0; i < 500; i++)
    disconnect (f, &conns[i], WR_DISCONNECT_CLEAN);
  g_free (conns);
}

static void
test_tokens (void)
{
  g_autoptr (GBytes) secret = g_bytes_new_static ("0123456789abcdef", 16);
  g_autoptr (GBytes) wrong = g_bytes_new_static ("0123456789abcdeF", 16);
  g_autofree gchar *token = wr_token_new_resume (secret, "room", "peer",
      "srv", "gen1", 2000);
  g_auto (WrResumeToken) t = { 0 };
  g_autofree gchar *tampered = NULL;
  g_autofree gchar *payload_b64 = NULL;
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree guint8 *payload = NULL;
  gsize len;

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  g_assert_null (strpbrk (token, "+/="));
  payload = wr_base64url_decode (parts[0], &len);
  g_assert_nonnull (payload);
  g_assert_nonnull (g_strstr_len ((gchar *) payload, len, "\"exp\":2000"));
  g_assert_true (wr_token_check_resume (secret, token, "room", 1999, &t));
  g_assert_cmpstr (t.peer, ==, "peer");
  g_assert_cmpstr (t.server_id, ==, "srv");
  g_assert_cmpstr (t.gen, ==, "gen1");
  g_assert_cmpint (t.exp, ==, 2000);
  wr_resume_token_clear (&t);
  g_assert_false (wr_token_check_resume (secret, token, "room", 2000, &t));
  g_assert_false (wr_token_check_resume (wrong, token, "room", 1999, &t));
  g_assert_false (wr_token_check_resume (secret, token, "other", 1999, &t));
  /* a payload changed without the MAC */
  payload_b64 = wr_base64url_encode ((const guint8 *)
      "{\"room\":\"room\",\"peer\":\"evil\",\"exp\":9999}", 42);
  tampered = g_strconcat (payload_b64, ".", parts[1], NULL);
  g_assert_false (wr_token_check_resume (secret, tampered, "room", 1999, &t));
  g_assert_null (t.peer);
  /* a signed token without a generation (an older server's) resumes
   * nothing */
  g_clear_pointer (&tampered, g_free);
  {
    g_autoptr (JsonObject) payload = json_object_new ();

    json_object_set_string_member (payload, "room", "room");
    json_object_set_string_member (payload, "peer", "peer");
    json_object_set_int_member (payload, "exp", 2000);
    tampered = wr_token_sign (secret, payload);
  }
  g_assert_false (wr_token_check_resume (secret, tampered, "room", 1999, &t));
  g_assert_false (wr_token_check_join (secret, "..", "room", 0));
  g_assert_false (wr_token_check_join (secret, "@@@.@@@", "room", 0));
}

/* Known vector, computed independently:
 *   printf %s 1600:peer0 | openssl dgst -sha1 -hmac s3cret-turn -binary | base64 */
static void
test_turn_rest_credential (void)
{
  g_autoptr (GBytes) secret = g_bytes_new_static ("s3cret-turn", 11);
  g_autofree gchar *username = wr_turn_rest_username (1600, "peer0");
  g_autofree gchar *credential = wr_turn_rest_credential (secret, username);

  g_assert_cmpstr (username, ==, "1600:peer0");
  g_assert_cmpstr (credential, ==, "LbVoEkoKDPsKlLJ99QQtRc4anpE=");
}

/* Each welcome carries the configured servers plus the TURN servers with a
 * username expiring TTL seconds after the join, for that peer. */
static void
test_turn_rest_welcome (void)
{
  g_autoptr (GBytes) resume =
      g_bytes_new_static ("resume-secret-for-unit-tests", 28);
  g_autoptr (GBytes) turn_secret = g_bytes_new_static ("s3cret-turn", 11);
  g_autoptr (JsonArray) servers = json_array_new ();
  gchar *urls[] = { "turn:192.0.2.1:3478", "turns:192.0.2.1:5349", NULL };
  JsonObject *stun = json_object_new ();
  WrRoomHandlerConfig config = {
    .resume_grace_us = 30 * SEC,
    .resume_secret = resume,
    .ice_servers = servers,
    .turn_rest_urls = urls,
    .turn_rest_secret = turn_secret,
    .turn_rest_ttl_s = 600,
  };
  Fixture f = { 0 };
  Conn a;
  g_autoptr (GstWebRTCRoomMessage) welcome = NULL;
  g_autofree gchar *expected_user = NULL;
  g_autofree gchar *expected_credential = NULL;
  JsonObject *turn;
  JsonArray *turn_urls;

  json_object_set_string_member (stun, "urls", "stun:192.0.2.1:3478");
  json_array_add_object_element (servers, stun);
  f.now = T0;
  f.handler = wr_room_handler_new (&config, f.now);
  f.actions = wr_actions_new ();

  open_conn (&f, &a, "a");
  welcome = join_full (&f, &a, "room", NULL, NULL);
  g_assert_nonnull (welcome->ice_servers);
  g_assert_cmpuint (json_array_get_length (welcome->ice_servers), ==, 2);
  turn = json_array_get_object_element (welcome->ice_servers, 1);
  turn_urls = json_object_get_array_member (turn, "urls");
  g_assert_cmpuint (json_array_get_length (turn_urls), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (turn_urls, 1), ==,
      "turns:192.0.2.1:5349");
  expected_user = wr_turn_rest_username (T0 / SEC + 600, welcome->peer);
  expected_credential = wr_turn_rest_credential (turn_secret, expected_user);
  g_assert_cmpstr (json_object_get_string_member (turn, "username"), ==,
      expected_user);
  g_assert_cmpstr (json_object_get_string_member (turn, "credential"), ==,
      expected_credential);
  /* the configured list itself is left alone */
  g_assert_cmpuint (json_array_get_length (servers), ==, 1);

  disconnect (&f, &a, WR_DISCONNECT_CLEAN);
  wr_room_handler_free (f.handler);
  g_array_unref (f.actions);
}

/* The member that opted in to WHIP/WHEP (meta whip/whep: true), first in
 * join order and connected; none in an unknown room */
static void
test_find_member (Fixture * f, gconstpointer data)
{
  Conn a, b, c;
  gboolean exists = TRUE;
  const gchar *found;
  g_autofree gchar *b_id = NULL;

  g_assert_null (wr_room_handler_find_member (f->handler, "r", "whip",
          &exists));
  g_assert_false (exists);
  open_conn (f, &a, "a");
  frame (f, &a, "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"whip\":1}}");
  open_conn (f, &b, "b");
  frame (f, &b, "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"whip\":true}}");
  b_id = g_strdup (wr_room_conn_get_peer_id (b.conn));
  open_conn (f, &c, "c");
  frame (f, &c, "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"whip\":true}}");
  found = wr_room_handler_find_member (f->handler, "r", "whip", &exists);
  g_assert_true (exists);
  g_assert_cmpstr (found, ==, b_id);
  g_assert_null (wr_room_handler_find_member (f->handler, "r", "whep",
          &exists));
  g_assert_true (exists);
  /* a lost member (resume grace) does not take sessions */
  disconnect (f, &b, WR_DISCONNECT_LOST);
  found = wr_room_handler_find_member (f->handler, "r", "whip", &exists);
  g_assert_cmpstr (found, ==, wr_room_conn_get_peer_id (c.conn));
  disconnect (f, &a, WR_DISCONNECT_CLEAN);
  disconnect (f, &c, WR_DISCONNECT_CLEAN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/room-handler/" path, Fixture, data, setup, func, teardown)
  ADD ("membership", test_membership, NULL);
  ADD ("relay", test_relay, NULL);
  ADD ("errors", test_errors, NULL);
  ADD ("leave", test_leave, NULL);
  ADD ("lost-grace-expiry", test_lost_grace_expiry, NULL);
  ADD ("resume", test_resume, NULL);
  ADD ("resume-other-room", test_resume_other_room, NULL);
  ADD ("resume-restart", test_resume_restart, NULL);
  ADD ("resume-once", test_resume_once, NULL);
  ADD ("resume-restart-once", test_resume_restart_once, NULL);
  ADD ("poisoning", test_poisoning, NULL);
  ADD ("room-full", test_room_full, GUINT_TO_POINTER (2));
  ADD ("join-timeout", test_join_timeout, NULL);
  ADD ("unique-ids", test_unique_ids, NULL);
#undef ADD
  g_test_add ("/room-handler/find-member", Fixture, NULL, setup,
      test_find_member, teardown);
  g_test_add ("/room-handler/join-tokens", Fixture, NULL, setup_tokens,
      test_join_tokens, teardown);
  g_test_add ("/room-handler/resume-tokens-required", Fixture, NULL,
      setup_tokens, test_resume_tokens_required, teardown);
  g_test_add_func ("/room-handler/tokens", test_tokens);
  g_test_add_func ("/room-handler/turn-rest-credential",
      test_turn_rest_credential);
  g_test_add_func ("/room-handler/turn-rest-welcome", test_turn_rest_welcome);
  return g_test_run ();
}
