/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* room-load: opens N WebSocket peers in M rooms against a room server and
 * reports the time to connect and join, server RSS per peer, idle CPU,
 * and relay throughput and latency at fixed offered rates. The load
 * generator is epoll + wslay in --procs processes (each on its own share
 * of the peers) and prints its own CPU, so that it is not what is being
 * measured. See tests/bench/README.md. */

#define _GNU_SOURCE
#include <gst/webrtcroom/protocol.h>

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wslay/wslay.h>

#define MAX_IN_FLIGHT 256
#define CONNECT_TIMEOUT_S 180
#define WARMUP_US G_USEC_PER_SEC

typedef enum
{
  PEER_CONNECTING,
  PEER_HANDSHAKE,
  PEER_JOINING,
  PEER_JOINED,
  PEER_FAILED,
} PeerState;

typedef struct _Gen Gen;

typedef struct
{
  Gen *gen;
  gint fd;
  PeerState state;
  guint index;
  wslay_event_context_ptr ctx;
  GString *handshake;
  gchar *id;
  gchar *target;
  gboolean want_out;
  gboolean drained;             /* the last recv () was short */
  GByteArray *out;              /* written by wslay, not yet by the kernel */
  gsize out_off;
} Peer;

struct _Gen
{
  /* options */
  guint n_peers;
  guint n_rooms;
  guint n_procs;
  guint n_sources;
  guint first_source;           /* 127.0.0.<first_source> is the first */
  guint16 port;
  /* this process */
  guint proc;
  Peer *peers;
  guint n;
  gint ep;
  guint next_connect;
  guint in_flight;
  guint joined;
  guint failed;
  GPtrArray *senders;
  guint next_sender;
  guint64 sent;
  guint64 received;
  guint64 received_all;
  GArray *latencies;
  gboolean measuring;
  /* what wslay writes in one peer_flush, sent with one send () */
  GByteArray *scratch;
};

typedef struct
{
  guint joined;
  guint failed;
} ConnectReport;

typedef struct
{
  gdouble rate;                 /* this process's share */
  gdouble duration;             /* seconds, after the warm-up */
  gint quit;
} Command;

typedef struct
{
  guint64 sent;
  guint64 received;
  guint64 received_all;         /* warm-up and tail included */
  guint64 n_latencies;
} RelayReport;

/* ---------------------------------------------------------------- */
/* one process of the load generator                                 */

static void
peer_set_events (Peer * peer, guint32 events)
{
  struct epoll_event ev = {.events = events,.data.ptr = peer };

  epoll_ctl (peer->gen->ep, EPOLL_CTL_MOD, peer->fd, &ev);
}

static void
peer_fail (Peer * peer)
{
  Gen *gen = peer->gen;

  if (peer->state == PEER_FAILED)
    return;
  if (peer->state == PEER_CONNECTING || peer->state == PEER_HANDSHAKE)
    gen->in_flight--;
  if (peer->state != PEER_JOINED)
    gen->failed++;
  else
    gen->joined--, gen->failed++;
  peer->state = PEER_FAILED;
  g_clear_pointer (&peer->out, g_byte_array_unref);
  epoll_ctl (gen->ep, EPOLL_CTL_DEL, peer->fd, NULL);
  close (peer->fd);
  peer->fd = -1;
}

static ssize_t
on_recv (wslay_event_context_ptr ctx, uint8_t * buf, size_t len, int flags,
    void *user_data)
{
  Peer *peer = user_data;
  ssize_t r;

  /* after a short read the next one would only say EAGAIN */
  if (peer->drained) {
    wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  r = recv (peer->fd, buf, len, 0);
  peer->drained = r >= 0 && (size_t) r < len;
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  if (r <= 0) {
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  return r;
}

static ssize_t
on_send (wslay_event_context_ptr ctx, const uint8_t * data, size_t len,
    int flags, void *user_data)
{
  Peer *peer = user_data;

  /* wslay writes a frame's header and payload apart: collected here, they
   * go out with one send () (one TCP segment: the server is not woken for
   * a header alone) */
  g_byte_array_append (peer->gen->scratch, data, len);
  return len;
}

static int
on_genmask (wslay_event_context_ptr ctx, uint8_t * buf, size_t len,
    void *user_data)
{
  /* the mask only has to be unpredictable to intermediaries */
  for (size_t i = 0; i < len; i += 4) {
    guint32 r = g_random_int ();

    memcpy (buf + i, &r, MIN (4, len - i));
  }
  return 0;
}

static void
handle_welcome (Peer * peer, const gchar * data, gsize len)
{
  Gen *gen = peer->gen;
  g_autoptr (GstWebRTCRoomMessage) msg =
      gst_webrtc_room_message_parse (data, len, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);

  if (!msg || msg->type != GST_WEBRTC_ROOM_MESSAGE_WELCOME) {
    if (msg && msg->type == GST_WEBRTC_ROOM_MESSAGE_ERROR)
      g_printerr ("join refused: %s\n", msg->code_string);
    return;
  }
  peer->id = g_strdup (msg->peer);
  if (msg->peers->len > 0) {
    peer->target = g_strdup (((GstWebRTCRoomPeerInfo *)
            msg->peers->pdata[0])->id);
    g_ptr_array_add (gen->senders, peer);
  }
  peer->state = PEER_JOINED;
  gen->joined++;
}

static void
on_msg (wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user_data)
{
  Peer *peer = user_data;
  Gen *gen = peer->gen;
  const gchar *data = (const gchar *) arg->msg;
  const gchar *t;

  if (arg->opcode != WSLAY_TEXT_FRAME)
    return;
  if (peer->state == PEER_JOINING) {
    handle_welcome (peer, data, arg->msg_length);
    return;
  }
  /* hot path: relayed signals carry {"t":<CLOCK_MONOTONIC us>} */
  if (arg->msg_length < 20 || strncmp (data, "{\"type\":\"signal\"", 16))
    return;
  gen->received++;
  t = g_strstr_len (data, arg->msg_length, "\"t\":");
  if (t && gen->measuring) {
    gint64 latency = g_get_monotonic_time () - g_ascii_strtoll (t + 4, NULL,
        10);

    g_array_append_val (gen->latencies, latency);
  }
}

/* Sends what the kernel did not take before, then @data; keeps what it
 * does not take now. FALSE on a socket error. */
static gboolean
peer_write (Peer * peer, const guint8 * data, gsize len)
{
  ssize_t r;

  if (peer->out) {
    g_byte_array_append (peer->out, data, len);
    data = peer->out->data + peer->out_off;
    len = peer->out->len - peer->out_off;
  }
  if (len == 0)
    return TRUE;
  r = send (peer->fd, data, len, MSG_NOSIGNAL);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    return FALSE;
  r = MAX (r, 0);
  if (peer->out) {
    peer->out_off += r;
    if (peer->out_off == peer->out->len) {
      g_clear_pointer (&peer->out, g_byte_array_unref);
      peer->out_off = 0;
    }
  } else if ((gsize) r < len) {
    peer->out = g_byte_array_new ();
    g_byte_array_append (peer->out, data + r, len - r);
    peer->out_off = 0;
  }
  return TRUE;
}

static void
peer_flush (Peer * peer)
{
  GByteArray *scratch = peer->gen->scratch;
  gboolean ok, want;

  /* wslay's queue waits while the kernel has not taken earlier output */
  if (peer->out) {
    ok = peer_write (peer, NULL, 0);
  } else {
    ok = wslay_event_send (peer->ctx) == 0
        && peer_write (peer, scratch->data, scratch->len);
    g_byte_array_set_size (scratch, 0);
  }
  if (!ok) {
    peer_fail (peer);
    return;
  }
  want = peer->out || wslay_event_want_write (peer->ctx);
  if (want != peer->want_out) {
    peer->want_out = want;
    peer_set_events (peer, EPOLLIN | (want ? EPOLLOUT : 0));
  }
}

static void
peer_send (Peer * peer, const gchar * text, gsize len)
{
  struct wslay_event_msg msg = { WSLAY_TEXT_FRAME, (const uint8_t *) text,
    len
  };

  if (wslay_event_queue_msg (peer->ctx, &msg) != 0) {
    peer_fail (peer);
    return;
  }
  peer_flush (peer);
}

static void
peer_upgraded (Peer * peer)
{
  static const struct wslay_event_callbacks callbacks = {
    .recv_callback = on_recv,
    .send_callback = on_send,
    .genmask_callback = on_genmask,
    .on_msg_recv_callback = on_msg,
  };
  Gen *gen = peer->gen;
  g_autofree gchar *join = NULL;
  g_autofree gchar *room = g_strdup_printf ("room-%u",
      peer->index % gen->n_rooms);

  gen->in_flight--;
  g_string_free (peer->handshake, TRUE);
  peer->handshake = NULL;
  wslay_event_context_client_init (&peer->ctx, &callbacks, peer);
  peer->state = PEER_JOINING;
  join = gst_webrtc_room_build_join (room, NULL, NULL, TRUE, NULL, NULL);
  peer_send (peer, join, strlen (join));
}

static void
peer_handshake_read (Peer * peer)
{
  gchar buf[1024];
  ssize_t r = recv (peer->fd, buf, sizeof (buf), 0);

  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (r <= 0 || peer->handshake->len > 8192) {
    peer_fail (peer);
    return;
  }
  g_string_append_len (peer->handshake, buf, r);
  /* the server sends nothing after the 101 before our join */
  if (!g_str_has_suffix (peer->handshake->str, "\r\n\r\n"))
    return;
  if (!g_str_has_prefix (peer->handshake->str, "HTTP/1.1 101")) {
    peer_fail (peer);
    return;
  }
  peer_upgraded (peer);
}

static void
peer_connected (Peer * peer)
{
  Gen *gen = peer->gen;
  gint err = 0;
  socklen_t len = sizeof (err);
  g_autofree gchar *request = NULL;

  getsockopt (peer->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    peer_fail (peer);
    return;
  }
  request = g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n", gen->port);
  if (send (peer->fd, request, strlen (request), MSG_NOSIGNAL) !=
      (ssize_t) strlen (request)) {
    peer_fail (peer);
    return;
  }
  peer->state = PEER_HANDSHAKE;
  peer->handshake = g_string_new (NULL);
  peer_set_events (peer, EPOLLIN);
}

static void
peer_start (Gen * gen, Peer * peer)
{
  struct sockaddr_in addr = {.sin_family = AF_INET,.sin_port = htons (gen->port)
  };
  struct epoll_event ev = {.events = EPOLLOUT,.data.ptr = peer };
  gint one = 1;

  gen->in_flight++;
  peer->state = PEER_CONNECTING;
  peer->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (peer->fd < 0) {
    gen->in_flight--;
    gen->failed++;
    peer->state = PEER_FAILED;
    return;
  }
  setsockopt (peer->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  if (gen->n_sources > 1 || gen->first_source != 1) {
    /* more than one source address: past the ~28k ephemeral ports */
    struct sockaddr_in src = {.sin_family = AF_INET };

    src.sin_addr.s_addr = htonl (0x7f000000 + gen->first_source +
        peer->index % gen->n_sources);
    bind (peer->fd, (struct sockaddr *) &src, sizeof (src));
  }
  addr.sin_addr.s_addr = htonl (0x7f000001);
  epoll_ctl (gen->ep, EPOLL_CTL_ADD, peer->fd, &ev);
  if (connect (peer->fd, (struct sockaddr *) &addr, sizeof (addr)) != 0
      && errno != EINPROGRESS)
    peer_fail (peer);
}

static void
handle_event (Peer * peer, guint32 events)
{
  switch (peer->state) {
    case PEER_CONNECTING:
      peer_connected (peer);
      break;
    case PEER_HANDSHAKE:
      peer_handshake_read (peer);
      break;
    case PEER_JOINING:
    case PEER_JOINED:
      peer->drained = FALSE;
      if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR))
          && wslay_event_recv (peer->ctx) != 0) {
        peer_fail (peer);
        return;
      }
      peer_flush (peer);
      break;
    case PEER_FAILED:
      break;
  }
}

static void
poll_once (Gen * gen, gint timeout_ms)
{
  struct epoll_event events[256];
  gint n = epoll_wait (gen->ep, events, G_N_ELEMENTS (events), timeout_ms);

  for (gint i = 0; i < n; i++)
    handle_event (events[i].data.ptr, events[i].events);
}

static void
connect_all (Gen * gen)
{
  gint64 deadline = g_get_monotonic_time () +
      (gint64) CONNECT_TIMEOUT_S * G_USEC_PER_SEC;

  while (gen->joined + gen->failed < gen->n
      && g_get_monotonic_time () < deadline) {
    while (gen->next_connect < gen->n && gen->in_flight < MAX_IN_FLIGHT)
      peer_start (gen, &gen->peers[gen->next_connect++]);
    poll_once (gen, 10);
  }
}

static void
send_one (Gen * gen)
{
  Peer *peer = NULL;
  gchar text[160];
  gint len;
  guint tries;

  for (tries = 0; tries < gen->senders->len; tries++) {
    peer = gen->senders->pdata[gen->next_sender++ % gen->senders->len];
    if (peer->state == PEER_JOINED)
      break;
  }
  if (tries == gen->senders->len)
    return;
  len = g_snprintf (text, sizeof (text),
      "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"t\":%" G_GINT64_FORMAT
      "}}", peer->target, g_get_monotonic_time ());
  peer_send (peer, text, len);
  gen->sent++;
}

static void
relay (Gen * gen, const Command * cmd)
{
  gint64 start = g_get_monotonic_time ();
  gint64 measure_from = start + WARMUP_US;
  gint64 end = measure_from + (gint64) (cmd->duration * G_USEC_PER_SEC);
  guint64 sent_measured = 0, received_at_start = 0, offered = 0;
  gint64 now;

  g_array_set_size (gen->latencies, 0);
  gen->sent = 0;
  gen->received_all = gen->received;
  while ((now = g_get_monotonic_time ()) < end + 500 * 1000) {
    if (now < end && gen->senders->len > 0) {
      guint64 due = (guint64) ((now - start) * cmd->rate / G_USEC_PER_SEC);

      while (offered < due) {
        send_one (gen);
        offered++;
      }
    }
    if (!gen->measuring && now >= measure_from && now < end) {
      gen->measuring = TRUE;
      sent_measured = gen->sent;
      received_at_start = gen->received;
    }
    if (gen->measuring && now >= end) {
      gen->measuring = FALSE;
      sent_measured = gen->sent - sent_measured;
      received_at_start = gen->received - received_at_start;
    }
    poll_once (gen, 1);
  }
  gen->received_all = gen->received - gen->received_all;
  gen->sent = sent_measured;
  gen->received = received_at_start;
}

static gboolean
read_full (gint fd, gpointer buf, gsize len)
{
  guint8 *p = buf;

  while (len > 0) {
    ssize_t r = read (fd, p, len);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return FALSE;
    p += r;
    len -= r;
  }
  return TRUE;
}

static gboolean
write_full (gint fd, gconstpointer buf, gsize len)
{
  const guint8 *p = buf;

  while (len > 0) {
    ssize_t r = write (fd, p, len);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return FALSE;
    p += r;
    len -= r;
  }
  return TRUE;
}

/* A child: connects its share, reports, then relays on command while
 * keeping its connections serviced (pings) in between. */
static void
child_main (Gen * gen, gint cmd_fd, gint report_fd)
{
  ConnectReport report;
  struct epoll_event ev = {.events = EPOLLIN,.data.ptr = NULL };
  guint i;

  gen->ep = epoll_create1 (EPOLL_CLOEXEC);
  gen->senders = g_ptr_array_new ();
  gen->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  gen->scratch = g_byte_array_new ();
  for (i = gen->proc; i < gen->n_peers; i += gen->n_procs)
    gen->n++;
  gen->peers = g_new0 (Peer, gen->n);
  for (i = 0; i < gen->n; i++) {
    gen->peers[i].gen = gen;
    gen->peers[i].index = gen->proc + i * gen->n_procs;
    gen->peers[i].fd = -1;
  }
  connect_all (gen);
  report.joined = gen->joined;
  report.failed = gen->n - gen->joined;
  write_full (report_fd, &report, sizeof (report));

  for (;;) {
    Command cmd;
    RelayReport rr;
    struct epoll_event events[256];
    gint n;
    gboolean got = FALSE;

    /* wait for a command, servicing sockets meanwhile */
    epoll_ctl (gen->ep, EPOLL_CTL_ADD, cmd_fd, &ev);
    while (!got) {
      n = epoll_wait (gen->ep, events, G_N_ELEMENTS (events), 100);
      for (gint k = 0; k < n; k++) {
        if (!events[k].data.ptr)
          got = TRUE;
        else
          handle_event (events[k].data.ptr, events[k].events);
      }
    }
    epoll_ctl (gen->ep, EPOLL_CTL_DEL, cmd_fd, NULL);
    if (!read_full (cmd_fd, &cmd, sizeof (cmd)) || cmd.quit)
      _exit (0);
    relay (gen, &cmd);
    rr.sent = gen->sent;
    rr.received = gen->received;
    rr.received_all = gen->received_all;
    rr.n_latencies = gen->latencies->len;
    write_full (report_fd, &rr, sizeof (rr));
    write_full (report_fd, gen->latencies->data,
        gen->latencies->len * sizeof (gint64));
  }
}

/* ---------------------------------------------------------------- */
/* the parent: server process, phases, numbers                        */

typedef struct
{
  GPid pid;
  gint cmd_fd;
  gint report_fd;
} Child;

#define MAX_SERVERS 8

/* The room servers (several with --cluster, sharing one port) and the
 * redis-server they share */
typedef struct
{
  GPid pids[MAX_SERVERS];
  guint n;
  GPid redis;
} Servers;

static gint64 read_rss_kb (GPid pid);
static gdouble read_cpu_s (GPid pid);

static gint64
servers_rss_kb (const Servers * s)
{
  gint64 total = 0;

  for (guint i = 0; i < s->n; i++)
    total += MAX (read_rss_kb (s->pids[i]), 0);
  return total;
}

static gdouble
servers_cpu_s (const Servers * s)
{
  gdouble total = 0;

  for (guint i = 0; i < s->n; i++)
    total += read_cpu_s (s->pids[i]);
  return total;
}

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

/* utime + stime in seconds */
static gdouble
read_cpu_s (GPid pid)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree gchar *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const gchar *p;

  if (!pid || !g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  p = strrchr (stat, ')');
  if (!p)
    return 0;
  /* after ")": state is field 3; utime 14, stime 15 */
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12],
          NULL)) / sysconf (_SC_CLK_TCK);
}

static gdouble
children_cpu_s (Child * children, guint n)
{
  gdouble total = 0;

  for (guint i = 0; i < n; i++)
    total += read_cpu_s (children[i].pid);
  return total;
}

static gint
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gdouble
percentile_ms (GArray * values, gdouble p)
{
  guint index;

  if (values->len == 0)
    return 0;
  index = MIN (values->len - 1, (guint) (p * values->len));
  return g_array_index (values, gint64, index) / 1000.0;
}

static void
raise_fd_limit (guint need)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return;
  if (limit.rlim_cur >= need)
    return;
  limit.rlim_cur = need;
  if (limit.rlim_max < need)
    limit.rlim_max = need;      /* needs CAP_SYS_RESOURCE (root) */
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_printerr ("room-load: cannot raise the fd limit to %u: %s\n", need,
        g_strerror (errno));
}

static GSubprocess *
spawn_server (const gchar * binary, gchar ** extra, const gchar * const *more,
    guint * port, GError ** error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree gchar *line = NULL;
  const gchar *p;

  g_ptr_array_add (argv, (gpointer) binary);
  g_ptr_array_add (argv, "--host=127.0.0.1");
  g_ptr_array_add (argv, "--port=0");
  g_ptr_array_add (argv, "--stun-port=0");
  g_ptr_array_add (argv, "--quiet");
  g_ptr_array_add (argv, "--rate-limit=0");
  g_ptr_array_add (argv, "--join-timeout=0");
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, extra[i]);
  for (guint i = 0; more && more[i]; i++)
    g_ptr_array_add (argv, (gpointer) more[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (!process)
    return NULL;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (!line || !(p = strstr (line, "ws://127.0.0.1:"))) {
    if (error && !*error)
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "no listening line from the server");
    return NULL;
  }
  *port = g_ascii_strtoull (p + strlen ("ws://127.0.0.1:"), NULL, 10);
  return g_steal_pointer (&process);
}

static guint
pick_tcp_port (void)
{
  struct sockaddr_in addr = {.sin_family = AF_INET };
  socklen_t len = sizeof (addr);
  gint fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port = 0;

  addr.sin_addr.s_addr = htonl (0x7f000001);
  if (fd >= 0 && bind (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0
      && getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  if (fd >= 0)
    close (fd);
  return port;
}

/* redis-server on a loopback port, nothing on disk; waits (10 s) until
 * it answers */
static GSubprocess *
spawn_redis (const gchar * binary, guint * port, GError ** error)
{
  g_autofree gchar *port_text = NULL;
  GSubprocess *process;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  *port = pick_tcp_port ();
  port_text = g_strdup_printf ("%u", *port);
  {
    const gchar *argv[] = { binary, "--port", port_text, "--bind",
      "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", "/tmp",
      "--daemonize", "no", "--loglevel", "warning", NULL
    };
    process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
        error);
  }
  if (!process)
    return NULL;
  while (g_get_monotonic_time () < deadline) {
    struct sockaddr_in addr = {.sin_family = AF_INET,.sin_port = htons (*port)
    };
    gint fd = socket (AF_INET, SOCK_STREAM, 0);
    gchar reply[8] = { 0 };
    gboolean ok;

    addr.sin_addr.s_addr = htonl (0x7f000001);
    ok = connect (fd, (struct sockaddr *) &addr, sizeof (addr)) == 0
        && write (fd, "PING\r\n", 6) == 6 && read (fd, reply, 5) == 5
        && g_str_has_prefix (reply, "+PONG");
    close (fd);
    if (ok)
      return process;
    g_usleep (50 * 1000);
  }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
      "redis-server did not answer");
  g_subprocess_force_exit (process);
  g_object_unref (process);
  return NULL;
}

int
main (int argc, char **argv)
{
  gint n_peers = 2000, n_rooms = 0, n_procs = 2, n_sources = 0;
  gint first_source = 1;
  gdouble duration = 3, idle_seconds = 3;
  g_autofree gchar *rates = g_strdup ("5000");
  g_autofree gchar *server_binary = g_strdup (WR_BENCH_SERVER);
  g_auto (GStrv) server_args = NULL;
  gint port_opt = 0, pid_opt = 0, n_cluster = 0;
  g_autofree gchar *redis_binary = g_strdup ("redis-server");
  g_autoptr (GSubprocess) redis = NULL;
  GSubprocess *cluster[MAX_SERVERS] = { 0 };
  Servers servers = { 0 };
  GOptionEntry entries[] = {
    {"peers", 'n', 0, G_OPTION_ARG_INT, &n_peers, "Peers (default 2000)",
        "N"},
    {"rooms", 'm', 0, G_OPTION_ARG_INT, &n_rooms,
        "Rooms (default peers/10)", "M"},
    {"rate", 'r', 0, G_OPTION_ARG_STRING, &rates,
          "Offered msg/s, comma separated list, 0 = no relay (default 5000)",
        "R[,R...]"},
    {"duration", 'd', 0, G_OPTION_ARG_DOUBLE, &duration,
        "Seconds measured per rate, after 1 s of warm-up (default 3)", "S"},
    {"idle", 0, 0, G_OPTION_ARG_DOUBLE, &idle_seconds,
        "Seconds of idle CPU measurement (default 3)", "S"},
    {"procs", 'j', 0, G_OPTION_ARG_INT, &n_procs,
        "Load generator processes (default 2)", "P"},
    {"sources", 0, 0, G_OPTION_ARG_INT, &n_sources,
          "Source addresses 127.0.0.1.. (default: one per 20000 peers)",
        "K"},
    {"first-source", 0, 0, G_OPTION_ARG_INT, &first_source,
        "First source address: 127.0.0.F (default 1)", "F"},
    {"server", 0, 0, G_OPTION_ARG_FILENAME, &server_binary,
        "Server binary to spawn (default: this build's)", "PATH"},
    {"server-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &server_args,
        "Extra server argument (repeatable)", "ARG"},
    {"port", 0, 0, G_OPTION_ARG_INT, &port_opt,
        "Use a running server on 127.0.0.1:PORT instead", "PORT"},
    {"pid", 0, 0, G_OPTION_ARG_INT, &pid_opt,
        "Its pid, for RSS and CPU", "PID"},
    {"cluster", 0, 0, G_OPTION_ARG_INT, &n_cluster,
        "Spawn N servers on one port (--reuse-port) sharing rooms through "
          "a redis-server spawned too (--redis-url); RSS and CPU are their "
          "sums (default 0: one server alone)", "N"},
    {"redis-server", 0, 0, G_OPTION_ARG_FILENAME, &redis_binary,
        "redis-server binary for --cluster (default: from PATH)", "PATH"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- room server load test");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_auto (GStrv) rate_list = NULL;
  Child *children;
  Gen gen = { 0 };
  GPid server_pid;
  guint port;
  gint64 rss_idle, rss_peers, t0;
  gdouble cpu0, gen_cpu0, secs;
  guint joined = 0, failed = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("room-load: %s\n", error->message);
    return 2;
  }
  if (n_peers < 1 || n_procs < 1 || duration <= 0 || n_cluster < 0
      || n_cluster > MAX_SERVERS || (n_cluster && port_opt)
      || first_source < 1 || first_source + MAX (n_sources, 1) > 255)
    return 2;
  if (n_rooms <= 0)
    n_rooms = MAX (1, n_peers / 10);
  if (n_sources <= 0)
    n_sources = 1 + n_peers / 20000;
  raise_fd_limit (n_peers + 1024);
  signal (SIGPIPE, SIG_IGN);

  if (port_opt) {
    port = port_opt;
    server_pid = pid_opt;
    servers.pids[servers.n++] = server_pid;
  } else if (n_cluster) {
    guint redis_port;
    g_autofree gchar *url = NULL;
    g_autofree gchar *port_arg = NULL;

    redis = spawn_redis (redis_binary, &redis_port, &error);
    if (!redis) {
      g_printerr ("room-load: redis-server: %s\n", error->message);
      return 1;
    }
    servers.redis = atoi (g_subprocess_get_identifier (redis));
    url = g_strdup_printf ("--redis-url=redis://127.0.0.1:%u/0", redis_port);
    for (gint i = 0; i < n_cluster; i++) {
      const gchar *more[] = { "--reuse-port", url, port_arg, NULL };

      cluster[i] = spawn_server (server_binary, server_args, more, &port,
          &error);
      if (!cluster[i]) {
        g_printerr ("room-load: server: %s\n", error->message);
        return 1;
      }
      if (!port_arg)
        port_arg = g_strdup_printf ("--port=%u", port);
      servers.pids[servers.n++] =
          atoi (g_subprocess_get_identifier (cluster[i]));
    }
    server_pid = servers.pids[0];
  } else {
    server = spawn_server (server_binary, server_args, NULL, &port, &error);
    if (!server) {
      g_printerr ("room-load: server: %s\n", error->message);
      return 1;
    }
    server_pid = atoi (g_subprocess_get_identifier (server));
    servers.pids[servers.n++] = server_pid;
  }
  g_usleep (200 * 1000);
  rss_idle = servers_rss_kb (&servers);
  g_print ("room-load: %u server process%s %s on port %u (pid %d%s), idle "
      "RSS %.1f MB%s\n", servers.n, servers.n > 1 ? "es" : "",
      port_opt ? "(running)" : server_binary, port, (int) server_pid,
      servers.n > 1 ? ", ..." : "", rss_idle / 1024.0,
      n_cluster ? ", sharing rooms through redis-server" : "");

  gen.n_peers = n_peers;
  gen.n_rooms = n_rooms;
  gen.n_procs = n_procs;
  gen.n_sources = n_sources;
  gen.first_source = first_source;
  gen.port = port;
  children = g_new0 (Child, n_procs);
  t0 = g_get_monotonic_time ();
  for (gint i = 0; i < n_procs; i++) {
    gint cmd[2], report[2];

    if (pipe (cmd) != 0 || pipe (report) != 0)
      return 1;
    children[i].pid = fork ();
    if (children[i].pid == 0) {
      close (cmd[1]);
      close (report[0]);
      gen.proc = i;
      child_main (&gen, cmd[0], report[1]);
      _exit (0);
    }
    close (cmd[0]);
    close (report[1]);
    children[i].cmd_fd = cmd[1];
    children[i].report_fd = report[0];
  }
  for (gint i = 0; i < n_procs; i++) {
    ConnectReport r;

    if (read_full (children[i].report_fd, &r, sizeof (r))) {
      joined += r.joined;
      failed += r.failed;
    }
  }
  secs = (g_get_monotonic_time () - t0) / (gdouble) G_USEC_PER_SEC;
  rss_peers = servers_rss_kb (&servers);
  g_print ("connect+join: %u peers in %u rooms (%d generator processes, "
      "%d source addresses from 127.0.0.%d): %u joined, %u failed, in %.2f s\n",
      n_peers, n_rooms, n_procs, n_sources, first_source, joined, failed, secs);
  g_print ("server RSS: %.1f MB with %u peers (idle %.1f MB): %.2f KB per "
      "peer\n", rss_peers / 1024.0, joined, rss_idle / 1024.0,
      joined ? (rss_peers - rss_idle) / (gdouble) joined : 0.0);
  if (servers.n > 1) {
    g_autoptr (GString) each = g_string_new (NULL);

    for (guint i = 0; i < servers.n; i++)
      g_string_append_printf (each, "%s%.1f MB", i ? ", " : "",
          read_rss_kb (servers.pids[i]) / 1024.0);
    g_print ("server RSS per process: %s\n", each->str);
  }
  if (servers.redis)
    g_print ("redis-server RSS: %.1f MB\n",
        read_rss_kb (servers.redis) / 1024.0);

  cpu0 = servers_cpu_s (&servers);
  g_usleep (idle_seconds * G_USEC_PER_SEC);
  g_print ("idle: server CPU %.2f %% of a core over %.0f s with %u peers "
      "connected; server RSS then %.1f MB (%.2f KB per peer)\n",
      100 * (servers_cpu_s (&servers) - cpu0) / idle_seconds, idle_seconds,
      joined, servers_rss_kb (&servers) / 1024.0,
      joined ? (servers_rss_kb (&servers) - rss_idle) / (gdouble) joined : 0.0);

  rate_list = g_strsplit (rates, ",", 0);
  for (guint r = 0; rate_list[r]; r++) {
    gdouble rate = g_ascii_strtod (rate_list[r], NULL);
    g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
    guint64 sent = 0, received = 0, received_all = 0;
    gdouble server_cpu, gen_cpu, redis_cpu, wall;
    Command cmd = { rate / n_procs, duration, 0 };

    if (rate <= 0)
      continue;
    cpu0 = servers_cpu_s (&servers);
    redis_cpu = read_cpu_s (servers.redis);
    gen_cpu0 = children_cpu_s (children, n_procs);
    t0 = g_get_monotonic_time ();
    for (gint i = 0; i < n_procs; i++)
      write_full (children[i].cmd_fd, &cmd, sizeof (cmd));
    for (gint i = 0; i < n_procs; i++) {
      RelayReport rr;
      guint old = all->len;

      if (!read_full (children[i].report_fd, &rr, sizeof (rr)))
        continue;
      sent += rr.sent;
      received += rr.received;
      received_all += rr.received_all;
      g_array_set_size (all, old + rr.n_latencies);
      read_full (children[i].report_fd, &g_array_index (all, gint64, old),
          rr.n_latencies * sizeof (gint64));
    }
    wall = (g_get_monotonic_time () - t0) / (gdouble) G_USEC_PER_SEC;
    server_cpu = servers_cpu_s (&servers) - cpu0;
    redis_cpu = read_cpu_s (servers.redis) - redis_cpu;
    gen_cpu = children_cpu_s (children, n_procs) - gen_cpu0;
    g_array_sort (all, compare_gint64);
    g_print ("relay: offered %.0f msg/s for %.0f s: sent %" G_GUINT64_FORMAT
        ", received %" G_GUINT64_FORMAT " (%.0f msg/s); latency p50 %.2f ms, "
        "p99 %.2f ms, max %.2f ms; server CPU %.0f %%, generator CPU %.0f %% "
        "(of one core)\n", rate, duration, sent, received,
        received / duration, percentile_ms (all, 0.5),
        percentile_ms (all, 0.99), percentile_ms (all, 1.0),
        100 * server_cpu / wall, 100 * gen_cpu / wall);
    /* the CPU times cover the warm-up and the tail: so do these counts */
    if (received_all > 0)
      g_print ("relay: CPU per relayed message: server %.1f us, generator "
          "%.1f us (%" G_GUINT64_FORMAT " messages in %.1f s)\n",
          1e6 * server_cpu / received_all, 1e6 * gen_cpu / received_all,
          received_all, wall);
    if (servers.redis)
      g_print ("relay: redis-server CPU %.0f %% (of one core)\n",
          100 * redis_cpu / wall);
  }
  g_print ("server RSS at the end: %.1f MB\n",
      servers_rss_kb (&servers) / 1024.0);

  for (gint i = 0; i < n_procs; i++) {
    Command quit = { 0, 0, 1 };

    write_full (children[i].cmd_fd, &quit, sizeof (quit));
  }
  for (gint i = 0; i < n_procs; i++)
    waitpid (children[i].pid, NULL, 0);
  if (server) {
    g_subprocess_send_signal (server, SIGTERM);
    g_subprocess_wait (server, NULL, NULL);
  }
  for (gint i = 0; i < n_cluster; i++) {
    g_subprocess_send_signal (cluster[i], SIGTERM);
    g_subprocess_wait (cluster[i], NULL, NULL);
    g_object_unref (cluster[i]);
  }
  if (redis) {
    g_subprocess_send_signal (redis, SIGTERM);
    g_subprocess_wait (redis, NULL, NULL);
  }
  g_free (children);
  return failed ? 1 : 0;
}
