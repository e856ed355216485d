/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* server-churn: N peer slots in M rooms, each looping for --duration
 * seconds after a warm-up: connect, join, signal a few room mates, leave
 * (a `leave` message, a clean close, or a dropped TCP connection followed
 * by a resume with its token), and again. Prints the server's RSS idle,
 * once warmed up (--warmup s and every slot joined once), at the end and
 * after everyone left, the
 * drift from warmed-up to end, the cycles done, and the peers/rooms left
 * in /metrics at the end (must be 0). See tests/bench/README.md. */

#include "testserver.h"

#include <gst/webrtcroom/protocol.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct _Churn Churn;

typedef enum
{
  END_LEAVE,
  END_CLOSE,
  END_DROP,
} EndKind;

typedef struct
{
  Churn *churn;
  guint index;
  SoupWebsocketConnection *ws;
  GCancellable *cancel;
  gchar *resume;                /* set after a drop: the next join resumes */
  gchar *id;
  guint signals_left;
  GPtrArray *mates;             /* ids from the welcome */
  gboolean connecting;
} Slot;

struct _Churn
{
  SoupSession *session;
  gchar *url;
  Slot *slots;
  guint n_slots;
  guint n_rooms;
  gboolean stopping;
  guint64 joins, resumes, resumed_same_id, signals, leaves, closes, drops;
  guint64 errors, unknown_peer, connect_failures;
  guint live;                   /* slots with an open WebSocket */
};

static gint64
read_status_kb (GPid pid, const gchar * field)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!pid || !g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line ? g_ascii_strtoll (line + strlen (field), NULL, 10) : -1;
}

static void slot_connect (Slot * slot);

static void
slot_drop_ws (Slot * slot)
{
  if (!slot->ws)
    return;
  g_signal_handlers_disconnect_by_data (slot->ws, slot);
  g_clear_object (&slot->ws);
  slot->churn->live--;
}

static void
on_closed (SoupWebsocketConnection * ws, Slot * slot)
{
  slot_drop_ws (slot);
  slot_connect (slot);
}

static void
slot_end (Slot * slot)
{
  Churn *churn = slot->churn;

  switch (g_random_int_range (0, 10)) {
    case 0:
      /* lost without a close: the next connection resumes */
      churn->drops++;
      g_free (slot->resume);
      slot->resume = g_strdup (g_object_get_data (G_OBJECT (slot->ws),
              "resume"));
      g_io_stream_close (soup_websocket_connection_get_io_stream (slot->ws),
          NULL, NULL);
      slot_drop_ws (slot);
      slot_connect (slot);
      return;
    case 1:
    case 2:
    case 3:
    case 4:
      churn->leaves++;
      soup_websocket_connection_send_text (slot->ws, "{\"type\":\"leave\"}");
      return;                   /* the server closes: on_closed */
    default:
      churn->closes++;
      soup_websocket_connection_close (slot->ws, 1000, NULL);
      return;
  }
}

static gboolean
on_signal_timer (gpointer data)
{
  Slot *slot = data;
  Churn *churn = slot->churn;

  if (!slot->ws
      || soup_websocket_connection_get_state (slot->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return G_SOURCE_REMOVE;
  if (slot->signals_left > 0 && slot->mates->len > 0) {
    const gchar *to = slot->mates->pdata[g_random_int_range (0,
            slot->mates->len)];
    g_autofree gchar *text = g_strdup_printf ("{\"type\":\"signal\","
        "\"to\":\"%s\",\"data\":{\"candidate\":{\"candidate\":"
        "\"candidate:1 1 UDP 2122252543 127.0.0.1 %u typ host\","
        "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}}", to,
        40000 + g_random_int_range (0, 20000));

    soup_websocket_connection_send_text (slot->ws, text);
    churn->signals++;
    slot->signals_left--;
    return G_SOURCE_CONTINUE;
  }
  if (churn->stopping) {
    soup_websocket_connection_close (slot->ws, 1000, NULL);
    return G_SOURCE_REMOVE;
  }
  slot_end (slot);
  return G_SOURCE_REMOVE;
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    Slot * slot)
{
  Churn *churn = slot->churn;
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  guint i;

  msg = gst_webrtc_room_message_parse (data, len, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);
  if (!msg)
    return;
  if (msg->type == GST_WEBRTC_ROOM_MESSAGE_WELCOME) {
    if (slot->resume) {
      churn->resumes++;
      if (g_strcmp0 (slot->id, msg->peer) == 0)
        churn->resumed_same_id++;
      g_clear_pointer (&slot->resume, g_free);
    } else {
      churn->joins++;
    }
    g_free (slot->id);
    slot->id = g_strdup (msg->peer);
    g_ptr_array_set_size (slot->mates, 0);
    for (i = 0; i < msg->peers->len; i++)
      g_ptr_array_add (slot->mates, g_strdup (((GstWebRTCRoomPeerInfo *)
                  msg->peers->pdata[i])->id));
    /* a drop keeps the token for the resume that follows */
    g_object_set_data_full (G_OBJECT (ws), "resume", g_strdup (msg->resume),
        g_free);
    slot->signals_left = g_random_int_range (1, 6);
    g_timeout_add (g_random_int_range (50, 400), on_signal_timer, slot);
  } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_ERROR
      && msg->code == GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER) {
    /* a signal to a mate that left meanwhile: part of churn */
    churn->unknown_peer++;
  } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_ERROR) {
    if (churn->errors++ < 5)
      g_printerr ("server error: %s %s\n", msg->code_string,
          msg->message ? msg->message : "");
  }
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Slot *slot = user_data;
  Churn *churn = slot->churn;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *room = NULL;
  g_autofree gchar *join = NULL;

  slot->connecting = FALSE;
  g_clear_object (&slot->cancel);
  slot->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  if (!slot->ws) {
    if (churn->connect_failures++ < 5)
      g_printerr ("connect failed: %s\n", error->message);
    if (!churn->stopping)
      slot_connect (slot);
    return;
  }
  churn->live++;
  soup_websocket_connection_set_keepalive_interval (slot->ws, 0);
  g_signal_connect (slot->ws, "message", G_CALLBACK (on_message), slot);
  g_signal_connect (slot->ws, "closed", G_CALLBACK (on_closed), slot);
  room = g_strdup_printf ("churn-%u", slot->index % churn->n_rooms);
  join = gst_webrtc_room_build_join (room, NULL, NULL, TRUE, NULL,
      slot->resume);
  soup_websocket_connection_send_text (slot->ws, join);
}

static void
slot_connect (Slot * slot)
{
  Churn *churn = slot->churn;
  g_autoptr (SoupMessage) msg = NULL;

  if (churn->stopping || slot->connecting)
    return;
  msg = soup_message_new ("GET", churn->url);
  slot->connecting = TRUE;
  slot->cancel = g_cancellable_new ();
  soup_session_websocket_connect_async (churn->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, slot->cancel, on_connected, slot);
}

typedef struct
{
  guint status;
  gchar *body;
  gboolean done;
} Http;

static void
on_http (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Http *http = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION
      (source), result, NULL);

  http->status = soup_message_get_status (msg);
  if (body)
    http->body = g_strndup (g_bytes_get_data (body, NULL),
        g_bytes_get_size (body));
  http->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((Http *) data)->done;
}

static gint64
metric (const gchar * metrics_url, const gchar * name)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", metrics_url);
  g_autofree gchar *needle = g_strdup_printf ("\n%s ", name);
  Http http = { 0 };
  const gchar *at;
  gint64 value = -1;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
      on_http, &http);
  wr_test_wait_until (http_done, &http, 10000);
  if (http.body && (at = strstr (http.body, needle)))
    value = g_ascii_strtoll (at + strlen (needle), NULL, 10);
  g_free (http.body);
  return value;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint seconds)
{
  gboolean done = FALSE;

  g_timeout_add_seconds (seconds, set_flag, &done);
  wr_test_wait_until (flag_set, &done, (seconds + 1) * 1000);
}

static gboolean
every_slot_joined (gpointer data)
{
  Churn *churn = data;
  guint i;

  for (i = 0; i < churn->n_slots; i++) {
    if (!churn->slots[i].id)
      return FALSE;
  }
  return TRUE;
}

static gboolean
all_closed (gpointer data)
{
  Churn *churn = data;
  guint i;

  for (i = 0; i < churn->n_slots; i++) {
    if (churn->slots[i].ws || churn->slots[i].connecting)
      return FALSE;
  }
  return TRUE;
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
  }
}

int
main (int argc, char **argv)
{
  gint n_peers = 1000, n_rooms = 100, duration = 60, warmup = 10;
  GOptionEntry entries[] = {
    {"peers", 'n', 0, G_OPTION_ARG_INT, &n_peers, "Peer slots (1000)", "N"},
    {"rooms", 'm', 0, G_OPTION_ARG_INT, &n_rooms, "Rooms (100)", "M"},
    {"duration", 'd', 0, G_OPTION_ARG_INT, &duration,
        "Seconds of churn (60)", "S"},
    {"warmup", 'w', 0, G_OPTION_ARG_INT, &warmup,
        "Seconds at least before the reference RSS is taken, once every "
          "slot joined (10)", "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- room server churn benchmark");
  g_autoptr (GError) error = NULL;
  const gchar *args[] = { "--quiet", "--rate-limit=0", "--resume-grace=5",
    NULL
  };
  WrTestServer *server;
  Churn churn = { 0 };
  g_autofree gchar *metrics_url = NULL;
  gint64 rss_idle, rss_warm, rss_end, rss_after, hwm, t0;
  gint64 peers_end, rooms_end, conns_end;
  gint warm_s;
  guint64 cycles_warm;
  guint i;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("server-churn: %s\n", error->message);
    return 2;
  }
  raise_fd_limit ();
  if (!g_getenv ("WEBRTC_ROOM_SERVER"))
    g_setenv ("WEBRTC_ROOM_SERVER", WR_BENCH_SERVER, TRUE);
  server = wr_test_server_start (args, &error);
  if (!server) {
    g_printerr ("server-churn: cannot start the server: %s\n", error->message);
    return 1;
  }
  churn.url = wr_test_server_get_ws_url (server);
  metrics_url = wr_test_server_get_http_url (server, "/metrics");
  churn.n_slots = n_peers;
  churn.n_rooms = n_rooms;
  churn.slots = g_new0 (Slot, n_peers);
  churn.session = soup_session_new_with_options ("max-conns", n_peers * 2 + 16,
      "max-conns-per-host", n_peers * 2 + 16, NULL);

  rss_idle = read_status_kb (wr_test_server_get_pid (server), "VmRSS:");
  printf ("server-churn: %d peers in %d rooms for %d s (server pid %d), "
      "idle RSS %.1f MB\n", n_peers, n_rooms, duration,
      (int) wr_test_server_get_pid (server), rss_idle / 1024.0);
  fflush (stdout);

  t0 = g_get_monotonic_time ();
  for (i = 0; i < churn.n_slots; i++) {
    Slot *slot = &churn.slots[i];

    slot->churn = &churn;
    slot->index = i;
    slot->mates = g_ptr_array_new_with_free_func (g_free);
    slot_connect (slot);
  }
  /* warmed up: --warmup seconds passed and every slot joined once (at
   * most 120 s more); the churn is measured for --duration after that */
  run_for (warmup);
  wr_test_wait_until (every_slot_joined, &churn, 120 * 1000);
  warm_s = (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  rss_warm = read_status_kb (wr_test_server_get_pid (server), "VmRSS:");
  cycles_warm = churn.joins + churn.resumes;
  printf ("after %d s warm-up: %u live connections, %" G_GUINT64_FORMAT
      " joins, server RSS %.1f MB (reference)\n", warm_s, churn.live,
      cycles_warm, rss_warm / 1024.0);
  fflush (stdout);

  run_for (duration);
  rss_end = read_status_kb (wr_test_server_get_pid (server), "VmRSS:");
  printf ("after %d s more of churn: %u live connections, %" G_GUINT64_FORMAT
      " joins, server RSS %.1f MB\n", duration, churn.live,
      churn.joins + churn.resumes - cycles_warm, rss_end / 1024.0);

  /* everybody leaves; lost peers time out after the 2 s grace */
  churn.stopping = TRUE;
  for (i = 0; i < churn.n_slots; i++) {
    Slot *slot = &churn.slots[i];

    if (slot->cancel)
      g_cancellable_cancel (slot->cancel);
    if (slot->ws && soup_websocket_connection_get_state (slot->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (slot->ws, 1000, NULL);
  }
  wr_test_wait_until (all_closed, &churn, 30000);
  /* the resume grace of dropped peers */
  run_for (6);
  rss_after = read_status_kb (wr_test_server_get_pid (server), "VmRSS:");
  hwm = read_status_kb (wr_test_server_get_pid (server), "VmHWM:");
  peers_end = metric (metrics_url, "webrtc_room_peers");
  rooms_end = metric (metrics_url, "webrtc_room_rooms");
  conns_end = metric (metrics_url, "webrtc_room_connections");

  printf ("cycles: %" G_GUINT64_FORMAT " joins, %" G_GUINT64_FORMAT
      " resumes (%" G_GUINT64_FORMAT " kept their id), %" G_GUINT64_FORMAT
      " signals; ends: %" G_GUINT64_FORMAT " leave, %" G_GUINT64_FORMAT
      " close, %" G_GUINT64_FORMAT " dropped; %" G_GUINT64_FORMAT
      " unknown-peer (mate gone), %" G_GUINT64_FORMAT " other error frames, %"
      G_GUINT64_FORMAT " failed connects, in %.1f s\n",
      churn.joins, churn.resumes, churn.resumed_same_id, churn.signals,
      churn.leaves, churn.closes, churn.drops, churn.unknown_peer,
      churn.errors, churn.connect_failures,
      (g_get_monotonic_time () - t0) / 1e6);
  printf ("server RSS: idle %.1f MB, warmed up %.1f MB, end %.1f MB, "
      "after all left %.1f MB, peak %.1f MB\n", rss_idle / 1024.0,
      rss_warm / 1024.0, rss_end / 1024.0, rss_after / 1024.0, hwm / 1024.0);
  printf ("RSS drift (warmed up -> end): %+.1f %%\n",
      100.0 * (rss_end - rss_warm) / (gdouble) rss_warm);
  printf ("/metrics at the end: peers %" G_GINT64_FORMAT ", rooms %"
      G_GINT64_FORMAT ", connections %" G_GINT64_FORMAT "\n", peers_end,
      rooms_end, conns_end);
  fflush (stdout);

  for (i = 0; i < churn.n_slots; i++) {
    slot_drop_ws (&churn.slots[i]);
    g_clear_object (&churn.slots[i].cancel);
    g_free (churn.slots[i].id);
    g_free (churn.slots[i].resume);
    g_ptr_array_unref (churn.slots[i].mates);
  }
  wr_test_server_stop (server);
  g_free (churn.slots);
  g_free (churn.url);
  g_object_unref (churn.session);
  return peers_end == 0 && rooms_end == 0 ? 0 : 1;
}
