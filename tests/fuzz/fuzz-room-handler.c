/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target: the room handler driven by a sequence of operations
 * read from the input (connections opening and closing, raw frames,
 * joins with current, superseded or foreign resume tokens, signals,
 * broadcasts, pings, leaves, time advancing). After every step, every
 * frame the handler wants sent must be valid UTF-8 JSON the client codec
 * accepts, and actions only name live connections. At the end, once all
 * connections are gone and the grace period has passed, no peer and no
 * room is left. */

#include "fuzz-common.h"
#include "room-handler.h"
#include "tokens.h"

#include <string.h>

#define N_SLOTS 8
#define SEC ((gint64) G_USEC_PER_SEC)

typedef struct
{
  gboolean open;
  WrRoomConn *conn;
  gchar *peer;
  gchar *first_token;           /* of the first welcome on this slot */
  gchar *last_token;
} Slot;

typedef struct
{
  const guint8 *p;
  const guint8 *end;
  WrRoomHandler *handler;
  GBytes *join_secret;
  Slot slots[N_SLOTS];
  gint64 now;
  GArray *actions;
} Run;

static guint8
next_byte (Run * r)
{
  return r->p < r->end ? *r->p++ : 0;
}

/* up to @max bytes of input as a (not necessarily valid) string */
static gchar *
next_bytes (Run * r, guint max, gsize * len)
{
  gsize want = next_byte (r) % (max + 1);
  gsize n = MIN (want, (gsize) (r->end - r->p));
  gchar *s = g_malloc (n + 1);

  memcpy (s, r->p, n);
  s[n] = '\0';

  r->p += n;
  *len = n;
  return s;
}

static Slot *
slot_of_handle (Run * r, gpointer handle)
{
  Slot *slot = handle;

  FUZZ_ASSERT (slot >= r->slots && slot < r->slots + N_SLOTS);
  return slot;
}

static void
slot_close (Run * r, Slot * slot, WrDisconnectReason reason)
{
  if (!slot->open)
    return;
  wr_room_handler_disconnect (r->handler, slot->conn, reason, r->now,
      r->actions);
  slot->open = FALSE;
  slot->conn = NULL;
}

/* Checks and carries out the actions, like the socket glue would. */
static void
process (Run * r)
{
  g_autoptr (GArray) todo = r->actions;
  guint i;

  r->actions = wr_actions_new ();
  for (i = 0; i < todo->len; i++) {
    WrAction *a = &g_array_index (todo, WrAction, i);
    Slot *slot = slot_of_handle (r, a->conn);

    if (!slot->open)
      fuzz_fail ("action %d for closed slot %d: %s", a->type,
          (int) (slot - r->slots), a->text ? a->text : "");
    if (a->type == WR_ACTION_SEND) {
      g_autoptr (GstWebRTCRoomMessage) msg = NULL;

      fuzz_assert_valid_frame (a->text, GST_WEBRTC_ROOM_TO_CLIENT);
      msg = gst_webrtc_room_message_parse (a->text, -1,
          GST_WEBRTC_ROOM_TO_CLIENT, NULL, NULL);
      if (msg->type == GST_WEBRTC_ROOM_MESSAGE_WELCOME) {
        FUZZ_ASSERT (msg->resume != NULL);
        g_free (slot->peer);
        slot->peer = g_strdup (msg->peer);
        if (!slot->first_token)
          slot->first_token = g_strdup (msg->resume);
        g_free (slot->last_token);
        slot->last_token = g_strdup (msg->resume);
      }
    } else {
      FUZZ_ASSERT (wr_room_conn_is_closing (slot->conn));
    }
  }
  /* closes last: a close follows the frames sent before it */
  for (i = 0; i < todo->len; i++) {
    WrAction *a = &g_array_index (todo, WrAction, i);
    Slot *slot = a->conn;

    if (a->type == WR_ACTION_CLOSE && slot->open)
      slot_close (r, slot, a->code == 1000 ? WR_DISCONNECT_CLEAN :
          WR_DISCONNECT_LOST);
  }
  if (r->actions->len > 0)
    process (r);
}

static const gchar *const rooms[] = { "r0", "r1", "r2", "a.b-c_D" };

static void
op_join (Run * r, Slot * slot)
{
  guint8 how = next_byte (r);
  Slot *from = &r->slots[next_byte (r) % N_SLOTS];
  const gchar *resume = NULL;
  g_autofree gchar *token = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (JsonObject) meta = NULL;
  const gchar *room = rooms[how % G_N_ELEMENTS (rooms)];

  switch ((how >> 2) % 4) {
    case 1:
      resume = from->last_token;
      break;
    case 2:
      resume = from->first_token;
      break;
    case 3:
      resume = "e30.AAAA";
      break;
  }
  if (r->join_secret && (how & 0x10))
    token = wr_token_new_join (r->join_secret, (how & 0x20) ? "*" : room,
        r->now / SEC + 60);
  if (how & 0x40) {
    meta = json_object_new ();
    json_object_set_int_member (meta, "n", next_byte (r));
  }
  text = gst_webrtc_room_build_join (room, (how & 0x80) ? "name" : NULL, meta,
      next_byte (r) & 1, token, resume);
  wr_room_handler_frame (r->handler, slot->conn, text, strlen (text), r->now,
      r->actions);
}

/* a template frame with a fuzzed JSON value spliced into it */
static void
op_template (Run * r, Slot * slot)
{
  guint8 which = next_byte (r);
  Slot *to = &r->slots[next_byte (r) % N_SLOTS];
  gsize len;
  g_autofree gchar *value = next_bytes (r, 64, &len);
  g_autofree gchar *text = NULL;
  const gchar *peer = to->peer ? to->peer : "0000000000000000";

  switch (which % 6) {
    case 0:
      text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\","
          "\"data\":{\"x\":%s}}", peer, value);
      break;
    case 1:
      text = g_strdup_printf ("{\"type\":\"broadcast\",\"data\":{\"x\":%s}}",
          value);
      break;
    case 2:
      text = g_strdup_printf ("{\"type\":\"ping\",\"id\":%s}", value);
      break;
    case 3:
      text = g_strdup ("{\"type\":\"leave\"}");
      break;
    case 4:
      text = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r0\","
          "\"meta\":{\"m\":%s}}", value);
      break;
    default:
      text = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r1\","
          "\"name\":\"%s\"}", value);
      break;
  }
  wr_room_handler_frame (r->handler, slot->conn, text, strlen (text), r->now,
      r->actions);
}

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  g_autoptr (GBytes) secret = g_bytes_new_static ("fuzz-resume-secret", 18);
  WrRoomHandlerConfig config = {
    .resume_grace_us = 30 * SEC,
    .join_timeout_us = 10 * SEC,
    .resume_secret = secret,
  };
  Run r = {.p = data,.end = data + size,.now = 1700000000 * SEC };
  guint i, steps = 0;
  guint8 setup;

  fuzz_init ();
  setup = next_byte (&r);
  config.max_peers_per_room = setup % 5;
  if (setup & 0x8)
    r.join_secret = config.join_secret =
        g_bytes_new_static ("fuzz-join-secret", 16);
  r.handler = wr_room_handler_new (&config, r.now);
  r.actions = wr_actions_new ();

  while (r.p < r.end && steps++ < 2000) {
    guint8 op = next_byte (&r);
    Slot *slot = &r.slots[(op >> 3) % N_SLOTS];

    switch (op & 7) {
      case 0:
        if (!slot->open) {
          slot->conn = wr_room_handler_connect (r.handler, slot, r.now);
          slot->open = TRUE;
        }
        break;
      case 1:
        slot_close (&r, slot, next_byte (&r) % 3);
        break;
      case 2:
        if (slot->open) {
          gsize len;
          g_autofree gchar *text = next_bytes (&r, 255, &len);

          wr_room_handler_frame (r.handler, slot->conn, text, len, r.now,
              r.actions);
        }
        break;
      case 3:
      case 4:
        if (slot->open)
          op_join (&r, slot);
        break;
      case 5:
        if (slot->open)
          op_template (&r, slot);
        break;
      case 6:
        r.now += next_byte (&r) * SEC / 4;
        wr_room_handler_tick (r.handler, r.now, r.actions);
        break;
      default:
        if (slot->open)
          wr_room_handler_reject (r.handler, slot->conn,
              GST_WEBRTC_ROOM_ERROR_RATE_LIMITED, "flood", NULL,
              (op & 0x40) ? 1008 : 0, r.actions);
        break;
    }
    process (&r);
  }

  /* everybody goes; after the grace period nothing is left */
  for (i = 0; i < N_SLOTS; i++) {
    slot_close (&r, &r.slots[i], i % 2 ? WR_DISCONNECT_CLEAN :
        WR_DISCONNECT_LOST);
    process (&r);
  }
  r.now += 31 * SEC;
  wr_room_handler_tick (r.handler, r.now, r.actions);
  process (&r);
  FUZZ_ASSERT (wr_room_handler_get_n_peers (r.handler) == 0);
  FUZZ_ASSERT (wr_room_handler_get_n_rooms (r.handler) == 0);
  FUZZ_ASSERT (wr_room_handler_get_stats (r.handler)->connections == 0);

  for (i = 0; i < N_SLOTS; i++) {
    g_free (r.slots[i].peer);
    g_free (r.slots[i].first_token);
    g_free (r.slots[i].last_token);
  }
  g_array_unref (r.actions);
  wr_room_handler_free (r.handler);
  g_clear_pointer (&r.join_secret, g_bytes_unref);
  return 0;
}
