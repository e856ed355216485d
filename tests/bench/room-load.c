/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* room-load: opens N WebSocket peers in M rooms against a room server and
 * reports connections held, server RSS per connection, relay throughput
 * and relay latency at a fixed offered rate. See tests/bench/README.md. */

#include "testserver.h"

#include <gst/webrtcroom/protocol.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct _Bench Bench;

typedef struct
{
  Bench *bench;
  SoupWebsocketConnection *ws;
  gchar *id;
  gchar *target;                /* a peer of the same room, or NULL */
  gboolean welcomed;
} Peer;

struct _Bench
{
  SoupSession *session;
  gchar *url;
  Peer *peers;
  guint n_peers;
  guint n_rooms;
  guint connecting;
  guint next_connect;
  guint connected;
  guint welcomed;
  guint failed;
  GPtrArray *senders;
  guint64 sent;
  guint64 received;
  GArray *latencies;            /* gint64 microseconds */
  gboolean measuring;
};

#define MAX_IN_FLIGHT 256

static gint64
read_rss_kb (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!pid || !g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    Peer * peer)
{
  Bench *bench = peer->bench;
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  const gchar *t;

  /* hot path: relayed signals carry {"t":<monotonic us>} */
  if (len > 20 && g_str_has_prefix (data, "{\"type\":\"signal\"")) {
    g_autofree gchar *copy = g_strndup (data, len);

    bench->received++;
    t = strstr (copy, "\"t\":");
    if (t && bench->measuring) {
      gint64 sent_at = g_ascii_strtoll (t + 4, NULL, 10);
      gint64 latency = g_get_monotonic_time () - sent_at;

      g_array_append_val (bench->latencies, latency);
    }
    return;
  }
  msg = gst_webrtc_room_message_parse (data, len, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);
  if (!msg)
    return;
  if (msg->type == GST_WEBRTC_ROOM_MESSAGE_WELCOME && !peer->welcomed) {
    peer->welcomed = TRUE;
    peer->id = g_strdup (msg->peer);
    if (msg->peers->len > 0)
      peer->target = g_strdup (((GstWebRTCRoomPeerInfo *)
              msg->peers->pdata[0])->id);
    bench->welcomed++;
  } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_ERROR) {
    g_printerr ("error from server: %s %s\n", msg->code_string,
        msg->message ? msg->message : "");
  }
}

static void connect_more (Bench * bench);

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Peer *peer = user_data;
  Bench *bench = peer->bench;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *room = NULL;
  g_autofree gchar *join = NULL;

  bench->connecting--;
  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  if (!peer->ws) {
    if (bench->failed++ < 5)
      g_printerr ("connect failed: %s\n", error->message);
    connect_more (bench);
    return;
  }
  bench->connected++;
  soup_websocket_connection_set_keepalive_interval (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (on_message), peer);
  room = g_strdup_printf ("room-%u", (guint) (peer - bench->peers) %
      bench->n_rooms);
  join = gst_webrtc_room_build_join (room, NULL, NULL, TRUE, NULL, NULL);
  soup_websocket_connection_send_text (peer->ws, join);
  connect_more (bench);
}

static void
connect_more (Bench * bench)
{
  while (bench->connecting < MAX_IN_FLIGHT
      && bench->next_connect < bench->n_peers) {
    Peer *peer = &bench->peers[bench->next_connect++];
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", bench->url);

    peer->bench = bench;
    bench->connecting++;
    soup_session_websocket_connect_async (bench->session, msg, NULL, NULL,
        G_PRIORITY_DEFAULT, NULL, on_connected, peer);
  }
}

static gboolean
all_joined (gpointer data)
{
  Bench *bench = data;

  return bench->next_connect == bench->n_peers && bench->connecting == 0
      && bench->welcomed + bench->failed >= bench->n_peers;
}

typedef struct
{
  Bench *bench;
  gdouble rate;
  gint64 start;
  gint64 end;
  guint next_sender;
  gboolean done;
} Sender;

static gboolean
on_send_tick (gpointer user_data)
{
  Sender *s = user_data;
  Bench *bench = s->bench;
  gint64 now = g_get_monotonic_time ();
  guint64 due;

  if (now >= s->end) {
    s->done = TRUE;
    return G_SOURCE_REMOVE;
  }
  due = (guint64) ((now - s->start) * s->rate / G_USEC_PER_SEC);
  while (bench->sent < due) {
    Peer *peer = bench->senders->pdata[s->next_sender++ % bench->senders->len];
    gchar text[160];

    g_snprintf (text, sizeof (text), "{\"type\":\"signal\",\"to\":\"%s\","
        "\"data\":{\"t\":%" G_GINT64_FORMAT "}}", peer->target,
        g_get_monotonic_time ());
    soup_websocket_connection_send_text (peer->ws, text);
    bench->sent++;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
sender_done (gpointer data)
{
  return ((Sender *) data)->done;
}

static gboolean
drained (gpointer data)
{
  Bench *bench = data;

  return bench->received >= bench->sent;
}

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gdouble
percentile_ms (GArray * sorted, gdouble p)
{
  guint index;

  if (sorted->len == 0)
    return 0;
  index = MIN (sorted->len - 1, (guint) (p * sorted->len));
  return g_array_index (sorted, gint64, index) / 1000.0;
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
  gint n_peers = 10000, n_rooms = 0, duration = 5, pid_opt = 0;
  gint n_senders = 0;
  gdouble rate = 20000;
  g_autofree gchar *url = NULL;
  GOptionEntry entries[] = {
    {"peers", 'n', 0, G_OPTION_ARG_INT, &n_peers, "Peers (default 10000)",
        "N"},
    {"rooms", 'm', 0, G_OPTION_ARG_INT, &n_rooms,
        "Rooms (default peers/10)", "M"},
    {"rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
        "Offered relay rate, messages/s (default 20000)", "RATE"},
    {"senders", 's', 0, G_OPTION_ARG_INT, &n_senders,
        "Peers that send during the relay phase (default all that can)", "K"},
    {"duration", 'd', 0, G_OPTION_ARG_INT, &duration,
        "Seconds of relay measurement (default 5)", "S"},
    {"url", 0, 0, G_OPTION_ARG_STRING, &url,
        "Use this server instead of spawning one", "ws://HOST:PORT/ws"},
    {"pid", 0, 0, G_OPTION_ARG_INT, &pid_opt,
        "PID of the --url server, for RSS", "PID"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- room server load test");
  g_autoptr (GError) error = NULL;
  WrTestServer *server = NULL;
  Bench bench = { 0 };
  Sender sender = { 0 };
  GPid pid = pid_opt;
  gint64 rss_idle, rss_loaded, rss_after, t0, connect_us;
  guint i;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("room-load: %s\n", error->message);
    return 2;
  }
  if (n_rooms <= 0)
    n_rooms = MAX (1, n_peers / 10);
  raise_fd_limit ();

  if (!url) {
    const gchar *args[] = { "--quiet", "--rate-limit=0", "--join-timeout=0",
      NULL
    };

    if (!g_getenv ("WEBRTC_ROOM_SERVER"))
      g_setenv ("WEBRTC_ROOM_SERVER", WR_BENCH_SERVER, TRUE);
    server = wr_test_server_start (args, &error);
    if (!server) {
      g_printerr ("room-load: cannot start the server: %s\n", error->message);
      return 1;
    }
    url = wr_test_server_get_ws_url (server);
    pid = wr_test_server_get_pid (server);
  }

  bench.url = url;
  bench.n_peers = n_peers;
  bench.n_rooms = n_rooms;
  bench.peers = g_new0 (Peer, n_peers);
  bench.latencies = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
      rate * duration + 1);
  bench.senders = g_ptr_array_new ();
  bench.session = soup_session_new_with_options ("max-conns", n_peers + 16,
      "max-conns-per-host", n_peers + 16, NULL);

  rss_idle = read_rss_kb (pid);
  printf ("room-load: server %s (pid %d), idle RSS %.1f MB\n", url, (int) pid,
      rss_idle / 1024.0);

  t0 = g_get_monotonic_time ();
  connect_more (&bench);
  wr_test_wait_until (all_joined, &bench, 120 * 1000);
  connect_us = g_get_monotonic_time () - t0;
  rss_loaded = read_rss_kb (pid);
  printf ("connections: %u requested in %u rooms, %u connected, %u joined, "
      "%u failed, in %.1f s\n", bench.n_peers, bench.n_rooms,
      bench.connected, bench.welcomed, bench.failed, connect_us / 1e6);
  if (rss_idle > 0 && rss_loaded > 0 && bench.welcomed > 0)
    printf ("server RSS: %.1f MB with %u peers (idle %.1f MB): "
        "%.2f KB per connection\n", rss_loaded / 1024.0, bench.welcomed,
        rss_idle / 1024.0, (rss_loaded - rss_idle) / (gdouble) bench.welcomed);

  for (i = 0; i < bench.n_peers; i++) {
    if (bench.peers[i].target && bench.peers[i].ws)
      g_ptr_array_add (bench.senders, &bench.peers[i]);
    if (n_senders > 0 && bench.senders->len >= (guint) n_senders)
      break;
  }
  if (bench.senders->len > 0 && rate > 0 && duration > 0) {
    GSource *tick;

    /* warm-up second, not measured */
    sender.bench = &bench;
    sender.rate = rate;
    sender.start = g_get_monotonic_time ();
    sender.end = sender.start + G_USEC_PER_SEC;
    tick = g_timeout_source_new (1);
    g_source_set_callback (tick, on_send_tick, &sender, NULL);
    g_source_attach (tick, NULL);
    g_source_unref (tick);
    wr_test_wait_until (sender_done, &sender, 10 * 1000);
    wr_test_wait_until (drained, &bench, 5 * 1000);

    bench.sent = bench.received = 0;
    bench.measuring = TRUE;
    sender.done = FALSE;
    sender.start = g_get_monotonic_time ();
    sender.end = sender.start + (gint64) duration *G_USEC_PER_SEC;
    tick = g_timeout_source_new (1);
    g_source_set_callback (tick, on_send_tick, &sender, NULL);
    g_source_attach (tick, NULL);
    g_source_unref (tick);
    wr_test_wait_until (sender_done, &sender, (duration + 10) * 1000);
    wr_test_wait_until (drained, &bench, 10 * 1000);
    bench.measuring = FALSE;

    g_array_sort (bench.latencies, compare_gint64);
    printf ("relay: offered %.0f msg/s from %u senders for %d s: sent %"
        G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT " (%.0f msg/s); "
        "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", rate,
        bench.senders->len, duration, bench.sent, bench.received,
        bench.received / (gdouble) duration,
        percentile_ms (bench.latencies, 0.50),
        percentile_ms (bench.latencies, 0.99),
        percentile_ms (bench.latencies, 1.0));
  }
  rss_after = read_rss_kb (pid);
  if (rss_after > 0)
    printf ("server RSS after relay: %.1f MB\n", rss_after / 1024.0);
  fflush (stdout);

  for (i = 0; i < bench.n_peers; i++) {
    if (bench.peers[i].ws) {
      g_signal_handlers_disconnect_by_data (bench.peers[i].ws, &bench.peers[i]);
      g_object_unref (bench.peers[i].ws);
    }
    g_free (bench.peers[i].id);
    g_free (bench.peers[i].target);
  }
  if (server)
    wr_test_server_stop (server);
  g_free (bench.peers);
  g_array_unref (bench.latencies);
  g_ptr_array_unref (bench.senders);
  g_object_unref (bench.session);
  return bench.welcomed == bench.n_peers ? 0 : 1;
}
