/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The protocol v1 codec: every message type round-trips, every malformed
 * input maps to its error code. */

#include <gst/webrtcroom/protocol.h>
#include <math.h>
#include <string.h>

static GstWebRTCRoomMessage *
parse_ok (const gchar * text, GstWebRTCRoomDirection direction)
{
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomMessage *msg = gst_webrtc_room_message_parse (text, -1,
      direction, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

/* serialize -> parse -> serialize gives the same text */
static GstWebRTCRoomMessage *
round_trip (const GstWebRTCRoomMessage * msg, GstWebRTCRoomDirection dir)
{
  g_autofree gchar *text = gst_webrtc_room_message_serialize (msg, dir);
  g_autofree gchar *again = NULL;
  GstWebRTCRoomMessage *parsed = parse_ok (text, dir);

  again = gst_webrtc_room_message_serialize (parsed, dir);
  g_assert_cmpstr (text, ==, again);
  g_assert_cmpint (parsed->type, ==, msg->type);
  return parsed;
}

static JsonObject *
object_from (const gchar * json)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static void
test_round_trip_client (void)
{
  g_autoptr (JsonObject) meta = object_from ("{\"role\":\"cam\",\"n\":[1]}");
  g_autoptr (JsonObject) data = object_from ("{\"description\":{\"type\":"
      "\"offer\",\"sdp\":\"v=0\\r\\n\"},\"x\":{\"y\":null}}");
  g_autoptr (GstWebRTCRoomMessage) join = NULL;
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;
  g_autoptr (GstWebRTCRoomMessage) bc = NULL;
  g_autoptr (GstWebRTCRoomMessage) leave = NULL;
  g_autoptr (GstWebRTCRoomMessage) ping = NULL;
  g_autoptr (GstWebRTCRoomMessage) ping2 = NULL;
  g_autofree gchar *text = NULL;
  GstWebRTCRoomMessage msg = { 0 };

  text = gst_webrtc_room_build_join ("room_1.a-b", "Zoë", meta, FALSE, "tok",
      "res");
  join = parse_ok (text, GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_cmpint (join->type, ==, GST_WEBRTC_ROOM_MESSAGE_JOIN);
  g_assert_cmpstr (join->room, ==, "room_1.a-b");
  g_assert_cmpstr (join->name, ==, "Zoë");
  g_assert_false (join->offers);
  g_assert_cmpstr (join->token, ==, "tok");
  g_assert_cmpstr (join->resume, ==, "res");
  g_assert_cmpstr (json_object_get_string_member (join->meta, "role"), ==,
      "cam");
  g_clear_pointer (&join, gst_webrtc_room_message_free);
  join = parse_ok ("{\"type\":\"join\",\"room\":\"r\"}",
      GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_true (join->offers);
  g_assert_null (join->name);

  msg.type = GST_WEBRTC_ROOM_MESSAGE_SIGNAL;
  msg.to = (gchar *) "abc";
  msg.data = data;
  sig = round_trip (&msg, GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_cmpstr (sig->to, ==, "abc");
  g_assert_null (sig->from);
  g_assert_true (json_object_has_member (sig->data, "x"));

  msg.type = GST_WEBRTC_ROOM_MESSAGE_BROADCAST;
  msg.to = NULL;
  bc = round_trip (&msg, GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_nonnull (bc->data);

  leave = parse_ok ("{\"type\":\"leave\"}", GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_cmpint (leave->type, ==, GST_WEBRTC_ROOM_MESSAGE_LEAVE);
  ping = parse_ok ("{\"type\":\"ping\",\"id\":[1,{\"a\":true}]}",
      GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (ping->id));
  ping2 = round_trip (ping, GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (ping2->id));
}

static void
test_round_trip_server (void)
{
  g_autoptr (JsonObject) data = object_from ("{\"candidate\":null}");
  g_autoptr (JsonObject) meta = object_from ("{\"k\":\"v\"}");
  g_autoptr (JsonArray) ice = NULL;
  g_autoptr (JsonNode) ice_node = json_from_string
      ("[{\"urls\":[\"stun:127.0.0.1:3478\"]}]", NULL);
  g_autoptr (GPtrArray) peers = g_ptr_array_new_with_free_func
      ((GDestroyNotify) gst_webrtc_room_peer_info_free);
  g_autoptr (GstWebRTCRoomMessage) out = NULL;
  g_autoptr (GstWebRTCRoomPeerInfo) info = NULL;
  g_autoptr (JsonNode) id = json_node_new (JSON_NODE_VALUE);
  g_autofree gchar *text = NULL;
  GstWebRTCRoomMessage msg = { 0 };
  GstWebRTCRoomPeerInfo *p;
  guint code;

  ice = json_array_ref (json_node_get_array (ice_node));
  g_ptr_array_add (peers, gst_webrtc_room_peer_info_new ("p1", "one", meta,
          TRUE));
  g_ptr_array_add (peers, gst_webrtc_room_peer_info_new ("p2", NULL, NULL,
          FALSE));

  msg.type = GST_WEBRTC_ROOM_MESSAGE_WELCOME;
  msg.protocol = 1;
  msg.peer = (gchar *) "me";
  msg.room = (gchar *) "r";
  msg.peers = peers;
  msg.ice_servers = ice;
  msg.resume = (gchar *) "tok";
  out = round_trip (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpint (out->protocol, ==, 1);
  g_assert_cmpstr (out->peer, ==, "me");
  g_assert_cmpuint (out->peers->len, ==, 2);
  p = out->peers->pdata[0];
  g_assert_cmpstr (p->name, ==, "one");
  g_assert_true (p->offers);
  p = out->peers->pdata[1];
  g_assert_null (p->name);
  g_assert_false (p->offers);
  g_assert_cmpuint (json_array_get_length (out->ice_servers), ==, 1);
  g_assert_cmpstr (out->resume, ==, "tok");
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  memset (&msg, 0, sizeof (msg));
  info = gst_webrtc_room_peer_info_new ("p3", "three", meta, TRUE);
  msg.type = GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED;
  msg.peer_info = info;
  out = round_trip (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpstr (out->peer_info->id, ==, "p3");
  g_assert_cmpstr (json_object_get_string_member (out->peer_info->meta, "k"),
      ==, "v");
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  memset (&msg, 0, sizeof (msg));
  msg.type = GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT;
  msg.peer = (gchar *) "p3";
  msg.reason = GST_WEBRTC_ROOM_LEFT_TIMEOUT;
  out = round_trip (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpint (out->reason, ==, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  text = gst_webrtc_room_build_signal ("p1", data, GST_WEBRTC_ROOM_TO_CLIENT);
  out = parse_ok (text, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpstr (out->from, ==, "p1");
  g_assert_null (out->to);
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  memset (&msg, 0, sizeof (msg));
  msg.type = GST_WEBRTC_ROOM_MESSAGE_BROADCAST;
  msg.from = (gchar *) "p2";
  msg.data = data;
  out = round_trip (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpstr (out->from, ==, "p2");
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  memset (&msg, 0, sizeof (msg));
  json_node_set_int (id, 7);
  msg.type = GST_WEBRTC_ROOM_MESSAGE_PONG;
  msg.id = id;
  out = round_trip (&msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpint (json_node_get_int (out->id), ==, 7);
  g_clear_pointer (&out, gst_webrtc_room_message_free);

  for (code = 0; code < GST_WEBRTC_ROOM_ERROR_UNKNOWN; code++) {
    g_autofree gchar *err = gst_webrtc_room_build_error (code, "why", "join");

    out = parse_ok (err, GST_WEBRTC_ROOM_TO_CLIENT);
    g_assert_cmpint (out->code, ==, code);
    g_assert_cmpstr (out->code_string, ==,
        gst_webrtc_room_error_to_code (code));
    g_assert_cmpstr (out->message, ==, "why");
    g_assert_cmpstr (out->ref, ==, "join");
    g_clear_pointer (&out, gst_webrtc_room_message_free);
  }
  /* an unknown code from a newer server */
  out = parse_ok ("{\"type\":\"error\",\"code\":\"brand-new\"}",
      GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpint (out->code, ==, GST_WEBRTC_ROOM_ERROR_UNKNOWN);
  g_assert_cmpstr (out->code_string, ==, "brand-new");
}

typedef struct
{
  const gchar *text;
  gssize len;
  GstWebRTCRoomError code;
  const gchar *ref;
} Bad;

static void
check_bad (const Bad * bad, GstWebRTCRoomDirection direction)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *ref = NULL;
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;

  msg = gst_webrtc_room_message_parse (bad->text, bad->len, direction, &ref,
      &error);
  if (msg)
    g_error ("accepted: %s", bad->text);
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR, (gint) bad->code);
  g_assert_cmpstr (ref, ==, bad->ref);
}

static void
test_malformed (void)
{
  g_autofree gchar *long_room = g_strnfill (65, 'a');
  g_autofree gchar *max_room = g_strnfill (64, 'a');
  g_autofree gchar *j_long_room = g_strdup_printf
      ("{\"type\":\"join\",\"room\":\"%s\"}", long_room);
  g_autofree gchar *j_max_room = g_strdup_printf
      ("{\"type\":\"join\",\"room\":\"%s\"}", max_room);
  g_autofree gchar *name65 = g_strnfill (65, 'n');
  g_autofree gchar *j_long_name = g_strdup_printf
      ("{\"type\":\"join\",\"room\":\"r\",\"name\":\"%s\"}", name65);
  g_autofree gchar *meta_big = g_strnfill (4100, 'm');
  g_autofree gchar *j_big_meta = g_strdup_printf
      ("{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"m\":\"%s\"}}", meta_big);
  GString *utf8_name = g_string_new (NULL);
  g_autofree gchar *j_utf8_name = NULL;
  g_autoptr (GstWebRTCRoomMessage) ok = NULL;
  guint i;
  const Bad bad[] = {
    {"{\"type\":\"ping\"", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"not json", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"[]", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"[{\"type\":\"ping\"}]", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"1", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"true", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"null", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"\"ping\"", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":\"\xff\xfe\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"p\xc3\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\"}\0garbage", 24, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":null}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":1}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":{}}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":\"nope\"}", -1, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "nope"},
    {"{\"type\":\"\"}", -1, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, ""},
    {"{\"type\":\"welcome\"}", -1, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE,
        "welcome"},
    {"{\"type\":\"pong\"}", -1, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "pong"},
    {"{\"type\":\"peer-joined\"}", -1, GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE,
        "peer-joined"},
    {"{\"type\":\"join\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":[]}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "join"},
    {"{\"type\":\"join\",\"room\":\"\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"a/b\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"caf\xc3\xa9\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {j_long_room, -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {j_long_name, -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {j_big_meta, -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"name\":1}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"meta\":[]}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"offers\":1}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"token\":{}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"resume\":false}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"signal\",\"data\":{}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"signal\",\"to\":[],\"data\":{}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"signal\",\"to\":\"x\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"signal\",\"to\":\"x\",\"data\":\"d\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"broadcast\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "broadcast"},
    {"{\"type\":\"broadcast\",\"data\":[1]}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "broadcast"},
  };
  const Bad bad_client[] = {
    {"{\"type\":\"join\",\"room\":\"r\"}", -1,
        GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "join"},
    {"{\"type\":\"welcome\",\"protocol\":\"1\",\"peer\":\"p\",\"room\":\"r\","
          "\"peers\":[]}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "welcome"},
    {"{\"type\":\"welcome\",\"protocol\":1,\"peer\":\"p\",\"room\":\"r\"}",
        -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "welcome"},
    {"{\"type\":\"welcome\",\"protocol\":1,\"peer\":\"p\",\"room\":\"r\","
          "\"peers\":[1]}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "welcome"},
    {"{\"type\":\"peer-joined\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "peer-joined"},
    {"{\"type\":\"peer-joined\",\"peer\":{\"name\":\"x\"}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "peer-joined"},
    {"{\"type\":\"peer-left\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "peer-left"},
    {"{\"type\":\"signal\",\"data\":{}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"error\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "error"},
  };

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("%s", bad[i].text);
    check_bad (&bad[i], GST_WEBRTC_ROOM_TO_SERVER);
  }
  for (i = 0; i < G_N_ELEMENTS (bad_client); i++)
    check_bad (&bad_client[i], GST_WEBRTC_ROOM_TO_CLIENT);

  /* the limits themselves are fine: 64 chars of room, 64 UTF-8 chars of
   * name (more than 64 bytes) */
  ok = parse_ok (j_max_room, GST_WEBRTC_ROOM_TO_SERVER);
  g_clear_pointer (&ok, gst_webrtc_room_message_free);
  for (i = 0; i < 64; i++)
    g_string_append (utf8_name, "é");
  j_utf8_name = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r\","
      "\"name\":\"%s\"}", utf8_name->str);
  ok = parse_ok (j_utf8_name, GST_WEBRTC_ROOM_TO_SERVER);
  g_assert_cmpuint (g_utf8_strlen (ok->name, -1), ==, 64);
  g_string_free (utf8_name, TRUE);
}

/* json-glib 1.6 accepts what is not JSON and stores what cannot be sent
 * back (issue 11): the codec refuses both before json-glib sees them. */
static void
test_hostile_json (void)
{
  const Bad bad[] = {
    /* not JSON, though json-glib takes it */
    {"{'type':'ping'}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":01}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":.5}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":\"\\u12zz\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":\"\\x\"}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON,
        NULL},
    {"{\"type\":\"ping\",\"id\":\"a\tb\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\"} {}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\",\"id\":tru}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON,
        NULL},
    {"{\"type\":\"ping\",\"id\":1e}", -1, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    /* JSON, but not storable or not echoable */
    {"{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"x\":1e999}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"x\":\"\\ud800x\"}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"a\\u0000b\"}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"n\":-9007199254740992}}",
        -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"signal\",\"to\":\"x\",\"data\":{\"n\":123456789012345678901}}",
        -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"ping\",\"id\":1e30}", -1, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "ping"},
    {"{\"type\":\"ping\",\"id\":{\"a\":[0.5]}}", -1,
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "ping"},
  };
  g_autofree gchar *big_id =
      g_strnfill (GST_WEBRTC_ROOM_MAX_PING_ID_BYTES, 'i');
  g_autofree gchar *ping_big =
      g_strdup_printf ("{\"type\":\"ping\",\"id\":\"%s\"}", big_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *deep = NULL;
  GString *nest = g_string_new ("{\"type\":\"broadcast\",\"data\":{\"d\":");
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("%s", bad[i].text);
    check_bad (&bad[i], GST_WEBRTC_ROOM_TO_SERVER);
  }
  msg = gst_webrtc_room_message_parse (ping_big, -1,
      GST_WEBRTC_ROOM_TO_SERVER, NULL, &error);
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_clear_error (&error);

  /* depth: 32 levels of nesting pass, 33 do not; 1M cannot crash */
  for (i = 0; i < GST_WEBRTC_ROOM_MAX_JSON_DEPTH - 2; i++)
    g_string_append_c (nest, '[');
  for (i = 0; i < GST_WEBRTC_ROOM_MAX_JSON_DEPTH - 2; i++)
    g_string_append_c (nest, ']');
  g_string_append (nest, "}}");
  msg = parse_ok (nest->str, GST_WEBRTC_ROOM_TO_SERVER);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  g_string_insert_c (nest, strchr (nest->str, '[') - nest->str, '[');
  g_string_insert_c (nest, nest->len - 2, ']');
  msg = gst_webrtc_room_message_parse (nest->str, -1,
      GST_WEBRTC_ROOM_TO_SERVER, NULL, &error);
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_clear_error (&error);
  g_string_free (nest, TRUE);
  deep = g_strnfill (1000000, '[');
  msg = gst_webrtc_room_message_parse (deep, -1, GST_WEBRTC_ROOM_TO_SERVER,
      NULL, &error);
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_clear_error (&error);

  /* numbers json-glib would print as `1e+30.0` come out as JSON, stably */
  msg = parse_ok ("{\"type\":\"broadcast\",\"data\":{\"a\":1e30,\"b\":1E-7,"
      "\"c\":-0.0,\"d\":100000.0,\"e\":9007199254740991,\"f\":\"\\u00e9\\/\"}}",
      GST_WEBRTC_ROOM_TO_SERVER);
  msg->from = g_strdup ("p");
  text = gst_webrtc_room_message_serialize (msg, GST_WEBRTC_ROOM_TO_CLIENT);
  g_assert_cmpstr (text, ==, "{\"type\":\"broadcast\",\"from\":\"p\","
      "\"data\":{\"a\":1e+30,"
      "\"b\":9.9999999999999995e-08,\"c\":-0.0,\"d\":100000.0,"
      "\"e\":9007199254740991,\"f\":\"\xc3\xa9/\"}}");
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  msg = parse_ok (text, GST_WEBRTC_ROOM_TO_CLIENT);
  {
    g_autofree gchar *again = gst_webrtc_room_message_serialize (msg,
        GST_WEBRTC_ROOM_TO_CLIENT);
    g_assert_cmpstr (again, ==, text);
  }
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  g_clear_pointer (&text, g_free);

  /* what an application builds by hand is still sent as valid JSON */
  {
    g_autoptr (JsonObject) data = json_object_new ();

    json_object_set_double_member (data, "inf", INFINITY);
    json_object_set_string_member (data, "bad", "a\xff" "b\x01");
    text = gst_webrtc_room_build_signal ("p", data, GST_WEBRTC_ROOM_TO_SERVER);
    g_assert_cmpstr (text, ==, "{\"type\":\"signal\",\"to\":\"p\",\"data\":"
        "{\"inf\":null,\"bad\":\"a\xef\xbf\xbd" "b\\u0001\"}}");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/protocol/round-trip/client", test_round_trip_client);
  g_test_add_func ("/protocol/round-trip/server", test_round_trip_server);
  g_test_add_func ("/protocol/malformed", test_malformed);
  g_test_add_func ("/protocol/hostile-json", test_hostile_json);
  return g_test_run ();
}
