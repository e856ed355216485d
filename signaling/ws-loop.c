/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Measured on the libsoup transport (TRAPS.md): GLib prepares, polls and
 * checks every GSource on every wake-up and libsoup keeps one per
 * WebSocket, so at 2,000 idle peers each message cost ~0.5 ms of CPU.
 * Here plain connections share one epoll fd and one GSource; framing is
 * wslay's (non-buffering mode: we assemble messages ourselves, so the
 * size limit applies before any payload is stored). */

#define _GNU_SOURCE             /* MSG_MORE */
#include "ws-loop.h"
#include "source-util.h"

#include <errno.h>
#include <glib-unix.h>
#include <malloc.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#define MAX_EVENTS 256
#define MAX_BATCHES 8
/* a connection keeps its wslay context (9 KB, memset) while it had a
 * data message in this window. Measured at 10,000 peers (load generator
 * on the same 2 cores): with 1 s, RSS 103 MB after the joins, 64 MB
 * after 12 s idle; with 0, 24.5 MB, and server CPU at 5,000 msg/s within
 * the noise of the two (25-30 %), though perf shows malloc/free of the
 * contexts. Memory is the target here: 0. */
#define IDLE_CONTEXT_US 0
/* output a peer does not read: above this much queued, it is dropped. The
 * bound is at least 128 messages of the largest size, so that a burst a
 * room mate may legitimately send (the default rate limit's burst is 100
 * messages) cannot get a reader dropped; at most 64 MiB per connection. */
#define MIN_QUEUED_BYTES (4 * 1024 * 1024)
#define MAX_QUEUED_BYTES (64 * 1024 * 1024)
#define QUEUED_MESSAGES 128
#define ASSEMBLY_KEEP 8192
#define TRIM_INTERVAL_US (30 * G_USEC_PER_SEC)
/* a burst is over when no context was released for this long: trimmed
 * then, not only at the interval (an I/O thread's malloc arena is not
 * trimmed by free () the way the main heap's top is) */
#define TRIM_QUIET_US (G_USEC_PER_SEC)
/* wslay contexts kept for reuse (~9 KB each): a relayed message needs one
 * for its sender and one for its receiver, and making one is a malloc
 * and memset of 9 KB (~10,000 instructions, about a sixth of what a
 * relay costs). Enough for the connections of a few wake-ups. */
#define SPARE_CONTEXTS 256

/* A wslay context and the connection using it. wslay gives its callbacks
 * the user data of its creation, so a context moves from connection to
 * connection with this slot as its user data. */
typedef struct
{
  wslay_event_context_ptr ctx;
  WrWsConn *conn;
} WsSlot;

struct _WrWsLoop
{
  WrWsCallbacks callbacks;
  gpointer user_data;
  gsize max_message_size;
  gsize max_queued;             /* see MIN_QUEUED_BYTES */
  gint epfd;
  GMainContext *context;
  GSource *source;              /* NULL while input is paused */
  GQueue conns;
  GQueue closing;
  GPtrArray *dirty;
  GPtrArray *dead;
  /* what wslay writes during one conn_flush, sent with one send () */
  GByteArray *scratch;
  guint n_active;
  GPtrArray *spare;             /* WsSlot, idle at a message boundary */
  guint n_released;             /* contexts freed since the last trim */
  gint64 last_release;
  gint64 last_trim;
  guint depth;                  /* > 0: inside a batch, settle at its end */
  gboolean settling;
};

struct _WrWsConn
{
  WrWsLoop *loop;
  gint fd;                      /* plain: owned; -1 with a stream */
  GIOStream *stream;            /* TLS */
  GSource *in_source;
  GSource *out_source;
  wslay_event_context_ptr ctx;  /* NULL while idle */
  WsSlot *slot;                 /* the one of ctx */
  gpointer data;
  GList link;
  GList closing_link;
  gint64 last_seen;
  gint64 last_data;
  gint64 closing_since;
  /* bytes handed to wslay, bytes of the frames it finished: equal at a
   * frame boundary (wslay keeps nothing buffered then) */
  guint64 fed;
  guint64 framed;
  guint64 frame_len;
  GByteArray *msg;              /* the data message being assembled */
  GByteArray *out;              /* written by wslay, not yet by the kernel */
  gsize out_off;
  guint8 msg_opcode;            /* 0: none in progress */
  gushort close_code;           /* asked for, queued once data is out */
  gushort code_received;        /* for the closed callback */
  guint frame_ctrl:1;
  guint frame_fin:1;
  guint discard:1;
  guint close_queued:1;
  guint epoll_out:1;
  guint read_stopped:1;         /* wslay reads no more: input not polled */
  guint dirty:1;
  guint failed:1;
  guint dead:1;
  guint notify:1;               /* closed callback due */
  guint drained:1;              /* the last recv () was short */
};

static void conn_flush (WrWsConn * conn);
static void ctx_detach (WrWsConn * conn, gboolean reuse);

static gsize
out_pending (WrWsConn * conn)
{
  return conn->out ? conn->out->len - conn->out_off : 0;
}

static gsize
frame_header_len (guint64 payload_len)
{
  /* client frames are masked (wslay refuses others), lengths minimal */
  return 2 + (payload_len < 126 ? 0 : payload_len < 65536 ? 2 : 8) + 4;
}

static void
mark_dirty (WrWsConn * conn)
{
  if (conn->dirty || conn->dead)
    return;
  conn->dirty = TRUE;
  g_ptr_array_add (conn->loop->dirty, conn);
}

static gboolean
conn_closing (WrWsConn * conn)
{
  return conn->close_code != 0 || conn->close_queued || conn->failed
      || conn->dead;
}

static void
conn_detach (WrWsConn * conn)
{
  WrWsLoop *loop = conn->loop;

  conn->dead = TRUE;
  if (conn->fd >= 0) {
    epoll_ctl (loop->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
    close (conn->fd);
    conn->fd = -1;
  }
  wr_source_clear (&conn->in_source);
  wr_source_clear (&conn->out_source);
  if (conn->closing_since)
    g_queue_unlink (&loop->closing, &conn->closing_link);
  g_ptr_array_add (loop->dead, conn);
}

/* The end of a connection; the closed callback comes when the batch
 * settles, so that nothing the caller holds is freed under it */
static void
conn_finish (WrWsConn * conn)
{
  if (conn->dead)
    return;
  if (conn->ctx && wslay_event_get_close_received (conn->ctx)) {
    conn->code_received = wslay_event_get_status_code_received (conn->ctx);
    if (conn->code_received == WSLAY_CODE_NO_STATUS_RCVD)
      conn->code_received = 1005;
  }
  conn->notify = TRUE;
  conn_detach (conn);
}

static void
conn_free (WrWsConn * conn)
{
  if (conn->ctx)
    ctx_detach (conn, FALSE);
  if (conn->msg)
    g_byte_array_unref (conn->msg);
  if (conn->out)
    g_byte_array_unref (conn->out);
  g_clear_object (&conn->stream);
  g_queue_unlink (&conn->loop->conns, &conn->link);
  g_free (conn);
}

static void
loop_reap (WrWsLoop * loop)
{
  g_autoptr (GPtrArray) dead = loop->dead;
  guint i;

  loop->dead = g_ptr_array_new ();
  for (i = 0; i < dead->len; i++) {
    WrWsConn *conn = dead->pdata[i];

    if (conn->notify)
      loop->callbacks.closed (conn, conn->code_received, loop->user_data);
    conn_free (conn);
  }
}

static ssize_t
on_recv (wslay_event_context_ptr ctx, uint8_t * buf, size_t len, int flags,
    void *user_data)
{
  WrWsConn *conn = ((WsSlot *) user_data)->conn;
  gssize r;

  if (conn->dead) {
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  if (conn->stream) {
    g_autoptr (GError) error = NULL;

    r = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM
        (g_io_stream_get_input_stream (conn->stream)), buf, len, NULL, &error);
    if (r < 0) {
      wslay_event_set_error (ctx, g_error_matches (error, G_IO_ERROR,
              G_IO_ERROR_WOULD_BLOCK) ? WSLAY_ERR_WOULDBLOCK :
          WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
  } else {
    /* level-triggered: after a short read, the next one would only say
     * EAGAIN; more data means another event */
    if (conn->drained) {
      wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
    do {
      r = recv (conn->fd, buf, len, 0);
    } while (r < 0 && errno == EINTR);
    conn->drained = r >= 0 && (gsize) r < len;
    if (r < 0) {
      wslay_event_set_error (ctx, errno == EAGAIN || errno == EWOULDBLOCK ?
          WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
  }
  if (r == 0) {
    /* end of stream */
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  conn->fed += r;
  return r;
}

static ssize_t
on_send (wslay_event_context_ptr ctx, const uint8_t * data, size_t len,
    int flags, void *user_data)
{
  WrWsConn *conn = ((WsSlot *) user_data)->conn;
  gssize r;

  if (conn->dead) {
    wslay_event_set_error (ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
  }
  if (conn->stream) {
    g_autoptr (GError) error = NULL;

    r = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM
        (g_io_stream_get_output_stream (conn->stream)), data, len, NULL,
        &error);
    if (r < 0) {
      wslay_event_set_error (ctx, g_error_matches (error, G_IO_ERROR,
              G_IO_ERROR_WOULD_BLOCK) ? WSLAY_ERR_WOULDBLOCK :
          WSLAY_ERR_CALLBACK_FAILURE);
      return -1;
    }
    return r;
  }
  /* wslay writes a frame header and its payload separately: collected
   * here, they go out in one send () per connection and flush */
  if (out_pending (conn) + conn->loop->scratch->len + len >
      conn->loop->max_queued) {
    wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
    return -1;
  }
  g_byte_array_append (conn->loop->scratch, data, len);
  return len;
}

/* Writes the pending output then the scratch; FALSE on a socket error */
static gboolean
out_write (WrWsConn * conn)
{
  GByteArray *scratch = conn->loop->scratch;
  const guint8 *data;
  gsize len;
  gssize r;

  if (out_pending (conn) > 0) {
    g_byte_array_append (conn->out, scratch->data, scratch->len);
    g_byte_array_set_size (scratch, 0);
    data = conn->out->data + conn->out_off;
    len = conn->out->len - conn->out_off;
  } else {
    data = scratch->data;
    len = scratch->len;
  }
  if (len == 0)
    return TRUE;
  do {
    r = send (conn->fd, data, len, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
    g_byte_array_set_size (scratch, 0);
    return FALSE;
  }
  r = MAX (r, 0);
  if (out_pending (conn) > 0) {
    conn->out_off += r;
    if (conn->out_off == conn->out->len) {
      g_clear_pointer (&conn->out, g_byte_array_unref);
      conn->out_off = 0;
    }
  } else if ((gsize) r < len) {
    conn->out = g_byte_array_sized_new (len - r);
    g_byte_array_append (conn->out, data + r, len - r);
    conn->out_off = 0;
  }
  g_byte_array_set_size (scratch, 0);
  return TRUE;
}

static void
on_frame_start (wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *arg, void *user_data)
{
  WrWsConn *conn = ((WsSlot *) user_data)->conn;
  WrWsLoop *loop = conn->loop;

  conn->last_seen = g_get_monotonic_time ();
  conn->frame_len = frame_header_len (arg->payload_length) +
      arg->payload_length;
  conn->frame_ctrl = (arg->opcode & 0x8) != 0;
  conn->frame_fin = arg->fin;
  if (conn->frame_ctrl)
    return;
  if (arg->opcode != WSLAY_CONTINUATION_FRAME) {
    conn->msg_opcode = arg->opcode;
    if (conn->msg)
      g_byte_array_set_size (conn->msg, 0);
  }
  if (conn->discard || conn_closing (conn))
    return;
  if ((conn->msg ? conn->msg->len : 0) + arg->payload_length >
      loop->max_message_size) {
    conn->discard = TRUE;
    loop->callbacks.too_large (conn, loop->user_data);
  }
}

static void
on_frame_chunk (wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_chunk_arg *arg, void *user_data)
{
  WrWsConn *conn = ((WsSlot *) user_data)->conn;

  if (conn->frame_ctrl || conn->discard || conn_closing (conn))
    return;
  if (!conn->msg)
    conn->msg = g_byte_array_new ();
  g_byte_array_append (conn->msg, arg->data, arg->data_length);
}

static void
on_frame_end (wslay_event_context_ptr ctx, void *user_data)
{
  WrWsConn *conn = ((WsSlot *) user_data)->conn;
  WrWsLoop *loop = conn->loop;
  guint8 opcode = conn->msg_opcode;

  conn->framed += conn->frame_len;
  conn->frame_len = 0;
  if (conn->frame_ctrl || !conn->frame_fin)
    return;
  conn->msg_opcode = 0;
  if (conn->discard || conn_closing (conn))
    return;
  conn->last_data = conn->last_seen;
  /* an empty GByteArray may have no data at all */
  loop->callbacks.message (conn, opcode == WSLAY_TEXT_FRAME,
      conn->msg && conn->msg->len ? (const gchar *) conn->msg->data : "",
      conn->msg ? conn->msg->len : 0, loop->user_data);
  if (conn->msg) {
    if (conn->msg->len > ASSEMBLY_KEEP)
      g_clear_pointer (&conn->msg, g_byte_array_unref);
    else
      g_byte_array_set_size (conn->msg, 0);
  }
}

static gboolean
ensure_ctx (WrWsConn * conn)
{
  static const struct wslay_event_callbacks callbacks = {
    .recv_callback = on_recv,
    .send_callback = on_send,
    .on_frame_recv_start_callback = on_frame_start,
    .on_frame_recv_chunk_callback = on_frame_chunk,
    .on_frame_recv_end_callback = on_frame_end,
  };

  WrWsLoop *loop = conn->loop;
  WsSlot *slot;

  if (conn->ctx)
    return TRUE;
  if (loop->spare->len > 0) {
    slot = g_ptr_array_steal_index_fast (loop->spare, loop->spare->len - 1);
  } else {
    slot = g_new0 (WsSlot, 1);
    if (wslay_event_context_server_init (&slot->ctx, &callbacks, slot) != 0) {
      g_free (slot);
      return FALSE;
    }
    wslay_event_config_set_no_buffering (slot->ctx, 1);
  }
  slot->conn = conn;
  conn->slot = slot;
  conn->ctx = slot->ctx;
  conn->fed = conn->framed = 0;
  loop->n_active++;
  return TRUE;
}

static void
slot_free (WsSlot * slot)
{
  wslay_event_context_free (slot->ctx);
  g_free (slot);
}

/* Takes the context from @conn; one left at a message boundary with
 * nothing queued, no close and no error is in the state of a new one
 * (wslay resets its frame and message state at the end of each message)
 * and is kept for another connection if @reuse. */
static void
ctx_detach (WrWsConn * conn, gboolean reuse)
{
  WrWsLoop *loop = conn->loop;
  WsSlot *slot = conn->slot;

  conn->ctx = NULL;
  conn->slot = NULL;
  slot->conn = NULL;
  loop->n_active--;
  if (reuse && loop->spare->len < SPARE_CONTEXTS)
    g_ptr_array_add (loop->spare, slot);
  else
    slot_free (slot);
}

/* Drops the wslay context of a connection idle at a message boundary */
static void
maybe_release_ctx (WrWsConn * conn, gint64 now)
{
  if (!conn->ctx || conn_closing (conn) || conn->fed != conn->framed
      || out_pending (conn) > 0
      || conn->msg_opcode != 0 || conn->discard
      || wslay_event_get_queued_msg_count (conn->ctx) != 0
      || wslay_event_want_write (conn->ctx)
      || wslay_event_get_close_received (conn->ctx)
      || now - conn->last_data < IDLE_CONTEXT_US)
    return;
  /* wslay stops reading or writing after an error it met */
  ctx_detach (conn, !wslay_event_get_close_sent (conn->ctx)
      && wslay_event_get_read_enabled (conn->ctx)
      && wslay_event_get_write_enabled (conn->ctx));
  conn->loop->n_released++;
  conn->loop->last_release = now;
  g_clear_pointer (&conn->msg, g_byte_array_unref);
}

static void
epoll_update (WrWsConn * conn)
{
  struct epoll_event ev = {.events = (conn->read_stopped ? 0 : EPOLLIN) |
        (conn->epoll_out ? EPOLLOUT : 0),
    .data.ptr = conn
  };

  epoll_ctl (conn->loop->epfd, EPOLL_CTL_MOD, conn->fd, &ev);
}

/* Once wslay reads no more (the peer's close came, our reply waits for
 * the data queued before it), input is left in the socket: polling it,
 * level-triggered, woke the loop at once again and again, a core busy
 * until the closing timed out (a client that read nothing, then sent a
 * close and more data, cost 1.95 s of CPU in 3 s) */
static void
stop_reading (WrWsConn * conn)
{
  if (conn->read_stopped)
    return;
  conn->read_stopped = TRUE;
  if (conn->in_source) {
    g_source_destroy (conn->in_source);
    g_clear_pointer (&conn->in_source, g_source_unref);
  } else if (conn->fd >= 0) {
    epoll_update (conn);
  }
}

static void
conn_read (WrWsConn * conn)
{
  gint r;

  if (conn->dead)
    return;
  if (conn->read_stopped) {
    /* epoll reports a hang-up or an error even when not asked */
    g_debug ("connection %p: hung up while closing", conn);
    conn_finish (conn);
    return;
  }
  if (!ensure_ctx (conn)) {
    conn_finish (conn);
    return;
  }
  conn->drained = FALSE;
  r = wslay_event_recv (conn->ctx);
  if (conn->dead)
    return;
  if (r != 0) {
    g_debug ("connection %p: read ended (%d)", conn, r);
    conn_finish (conn);
    return;
  }
  if (!wslay_event_want_read (conn->ctx))
    stop_reading (conn);
  mark_dirty (conn);
}

static gboolean
on_stream_readable (GObject * stream, gpointer user_data)
{
  WrWsConn *conn = user_data;
  WrWsLoop *loop = conn->loop;

  wr_ws_loop_begin (loop);
  conn_read (conn);
  wr_ws_loop_end (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stream_writable (GObject * stream, gpointer user_data)
{
  WrWsConn *conn = user_data;
  WrWsLoop *loop = conn->loop;

  g_clear_pointer (&conn->out_source, g_source_unref);
  mark_dirty (conn);
  wr_ws_loop_flush (loop);
  return G_SOURCE_REMOVE;
}

static void
watch_output (WrWsConn * conn, gboolean want)
{
  if (conn->stream) {
    if (want && !conn->out_source) {
      conn->out_source =
          g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM
          (g_io_stream_get_output_stream (conn->stream)), NULL);
      g_source_set_callback (conn->out_source,
          (GSourceFunc) on_stream_writable, conn, NULL);
      g_source_attach (conn->out_source, g_main_context_get_thread_default ());
    }
    return;
  }
  if (want != conn->epoll_out) {
    conn->epoll_out = want;
    epoll_update (conn);
  }
}

static void
conn_flush (WrWsConn * conn)
{
  gboolean want;
  gint64 now;

  if (conn->dead)
    return;
  if (conn->failed) {
    g_debug ("connection %p: dropped (output not read)", conn);
    conn_finish (conn);
    return;
  }
  if (conn->ctx || conn->close_code) {
    if (!ensure_ctx (conn)) {
      conn_finish (conn);
      return;
    }
    for (;;) {
      if (conn->close_code && !conn->close_queued
          && wslay_event_get_queued_msg_count (conn->ctx) == 0) {
        conn->close_queued = TRUE;
        wslay_event_queue_close (conn->ctx, conn->close_code, NULL, 0);
      }
      if (wslay_event_send (conn->ctx) != 0) {
        g_debug ("connection %p: write failed", conn);
        g_byte_array_set_size (conn->loop->scratch, 0);
        conn_finish (conn);
        return;
      }
      /* the close waits for the data before it, then goes in this flush */
      if (!conn->close_code || conn->close_queued
          || wslay_event_get_queued_msg_count (conn->ctx) != 0)
        break;
    }
  }
  if (conn->fd >= 0 && !out_write (conn)) {
    conn_finish (conn);
    return;
  }
  want = out_pending (conn) > 0 || (conn->ctx
      && wslay_event_want_write (conn->ctx));
  watch_output (conn, want);
  if (!conn->ctx)
    return;
  now = g_get_monotonic_time ();
  if (wslay_event_get_close_sent (conn->ctx)) {
    if (wslay_event_get_close_received (conn->ctx) && !want) {
      conn_finish (conn);
    } else if (!conn->closing_since) {
      conn->closing_since = now;
      conn->closing_link.data = conn;
      g_queue_push_tail_link (&conn->loop->closing, &conn->closing_link);
    }
    return;
  }
  maybe_release_ctx (conn, now);
}

/* Writes what is queued and delivers the closed callbacks, until
 * nothing is left (a callback may queue more) */
static void
loop_settle (WrWsLoop * loop)
{
  if (loop->depth > 0 || loop->settling)
    return;
  loop->settling = TRUE;
  while (loop->dirty->len > 0 || loop->dead->len > 0) {
    g_autoptr (GPtrArray) dirty = loop->dirty;
    guint i;

    loop->dirty = g_ptr_array_new ();
    for (i = 0; i < dirty->len; i++) {
      WrWsConn *conn = dirty->pdata[i];

      conn->dirty = FALSE;
      conn_flush (conn);
    }
    loop_reap (loop);
  }
  loop->settling = FALSE;
}

void
wr_ws_loop_flush (WrWsLoop * loop)
{
  loop_settle (loop);
}

void
wr_ws_loop_begin (WrWsLoop * loop)
{
  loop->depth++;
}

void
wr_ws_loop_end (WrWsLoop * loop)
{
  g_assert (loop->depth > 0);
  loop->depth--;
  loop_settle (loop);
}

static gboolean
on_epoll (gint fd, GIOCondition condition, gpointer user_data)
{
  WrWsLoop *loop = user_data;
  struct epoll_event events[MAX_EVENTS];
  gint batch, n, i;

  for (batch = 0; batch < MAX_BATCHES; batch++) {
    n = epoll_wait (loop->epfd, events, MAX_EVENTS, 0);
    /* connections finished in the batch stay allocated until its end */
    wr_ws_loop_begin (loop);
    for (i = 0; i < n; i++) {
      WrWsConn *conn = events[i].data.ptr;

      if (conn->dead)
        continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        conn_read (conn);
      if (!conn->dead && (events[i].events & EPOLLOUT))
        mark_dirty (conn);
    }
    wr_ws_loop_end (loop);
    if (n < MAX_EVENTS)
      break;
  }
  return G_SOURCE_CONTINUE;
}

WrWsLoop *
wr_ws_loop_new (const WrWsCallbacks * callbacks, gpointer user_data,
    gsize max_message_size, GError ** error)
{
  WrWsLoop *loop;
  gint epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0) {
    gint saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
        "epoll_create1: %s", g_strerror (saved));
    return NULL;
  }
  loop = g_new0 (WrWsLoop, 1);
  loop->callbacks = *callbacks;
  loop->user_data = user_data;
  loop->max_message_size = max_message_size;
  loop->max_queued = CLAMP (QUEUED_MESSAGES * (guint64) max_message_size,
      MIN_QUEUED_BYTES, MAX_QUEUED_BYTES);
  loop->epfd = epfd;
  loop->dirty = g_ptr_array_new ();
  loop->dead = g_ptr_array_new ();
  loop->spare = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  loop->scratch = g_byte_array_new ();
  g_queue_init (&loop->conns);
  g_queue_init (&loop->closing);
  loop->context = g_main_context_ref_thread_default ();
  wr_ws_loop_pause (loop, FALSE);
  return loop;
}

void
wr_ws_loop_pause (WrWsLoop * loop, gboolean paused)
{
  if (paused) {
    wr_source_clear (&loop->source);
  } else if (!loop->source) {
    loop->source = g_unix_fd_source_new (loop->epfd, G_IO_IN);
    g_source_set_callback (loop->source, (GSourceFunc) on_epoll, loop, NULL);
    g_source_attach (loop->source, loop->context);
  }
}

void
wr_ws_loop_free (WrWsLoop * loop)
{
  if (!loop)
    return;
  /* the dead are in conns too; none had its closed callback yet, and
   * the aborted ones (dead, none due) are known to the caller */
  while (loop->conns.head) {
    WrWsConn *conn = loop->conns.head->data;
    gboolean drop = !conn->dead || conn->notify;

    if (!conn->dead)
      conn_detach (conn);
    g_queue_unlink (&loop->conns, &conn->link);
    if (drop && loop->callbacks.dropped)
      loop->callbacks.dropped (conn, loop->user_data);
  }
  g_ptr_array_set_size (loop->dirty, 0);
  /* conn_free unlinks from conns: they are already out */
  for (guint i = 0; i < loop->dead->len; i++) {
    WrWsConn *conn = loop->dead->pdata[i];

    conn->link.prev = conn->link.next = NULL;
    if (conn->ctx)
      slot_free (conn->slot);
    if (conn->msg)
      g_byte_array_unref (conn->msg);
    if (conn->out)
      g_byte_array_unref (conn->out);
    g_clear_object (&conn->stream);
    g_free (conn);
  }
  g_ptr_array_unref (loop->dead);
  g_ptr_array_unref (loop->dirty);
  g_ptr_array_unref (loop->spare);
  g_byte_array_unref (loop->scratch);
  wr_source_clear (&loop->source);
  g_main_context_unref (loop->context);
  close (loop->epfd);
  g_free (loop);
}

static WrWsConn *
conn_new (WrWsLoop * loop, gpointer conn_data)
{
  WrWsConn *conn = g_new0 (WrWsConn, 1);
  gint64 now = g_get_monotonic_time ();

  conn->loop = loop;
  conn->fd = -1;
  conn->data = conn_data;
  conn->last_seen = now;
  conn->last_data = now;
  conn->link.data = conn;
  g_queue_push_tail_link (&loop->conns, &conn->link);
  return conn;
}

WrWsConn *
wr_ws_loop_add_fd (WrWsLoop * loop, gint fd, gpointer conn_data)
{
  WrWsConn *conn = conn_new (loop, conn_data);
  struct epoll_event ev = {.events = EPOLLIN,.data.ptr = conn };

  conn->fd = fd;
  if (epoll_ctl (loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    g_message ("epoll_ctl: %s", g_strerror (errno));
    conn->failed = TRUE;
    mark_dirty (conn);
  }
  return conn;
}

WrWsConn *
wr_ws_loop_add_stream (WrWsLoop * loop, GIOStream * stream, gpointer conn_data)
{
  WrWsConn *conn = conn_new (loop, conn_data);

  conn->stream = g_object_ref (stream);
  conn->in_source =
      g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM
      (g_io_stream_get_input_stream (stream)), NULL);
  g_source_set_callback (conn->in_source, (GSourceFunc) on_stream_readable,
      conn, NULL);
  g_source_attach (conn->in_source, g_main_context_get_thread_default ());
  return conn;
}

void
wr_ws_loop_expire_closing (WrWsLoop * loop, gint64 max_us)
{
  gint64 limit = g_get_monotonic_time () - max_us;

  wr_ws_loop_begin (loop);
  while (loop->closing.head) {
    WrWsConn *conn = loop->closing.head->data;

    if (conn->closing_since > limit)
      break;
    g_debug ("connection %p: closing handshake timed out", conn);
    conn_finish (conn);
  }
  wr_ws_loop_end (loop);
}

/* After a burst, thousands of freed 9 KB contexts sit between live
 * blocks: hand their pages back (glibc only trims the top by itself) */
void
wr_ws_loop_trim (WrWsLoop * loop)
{
  gint64 now = g_get_monotonic_time ();

  /* it walks the heap: not often, and not while most are busy */
  if (loop->n_released < 1024 || loop->n_active > loop->conns.length / 4
      || (now - loop->last_trim < TRIM_INTERVAL_US
          && now - loop->last_release < TRIM_QUIET_US))
    return;
  loop->n_released = 0;
  loop->last_trim = now;
  g_ptr_array_set_size (loop->spare, 0);
  malloc_trim (0);
}

guint
wr_ws_loop_get_n_connections (WrWsLoop * loop)
{
  return loop->conns.length - loop->dead->len;
}

guint
wr_ws_loop_get_n_active (WrWsLoop * loop)
{
  return loop->n_active;
}

gpointer
wr_ws_conn_get_data (WrWsConn * conn)
{
  return conn->data;
}

gint64
wr_ws_conn_get_last_seen (WrWsConn * conn)
{
  return conn->last_seen;
}

gboolean
wr_ws_conn_is_open (WrWsConn * conn)
{
  return !conn_closing (conn);
}

static gboolean
queue_msg (WrWsConn * conn, guint8 opcode, const gchar * data, gsize len)
{
  struct wslay_event_msg msg = { opcode, (const uint8_t *) data, len };

  if (conn_closing (conn))
    return FALSE;
  if (!ensure_ctx (conn)
      || wslay_event_get_queued_msg_length (conn->ctx) > conn->loop->max_queued
      || wslay_event_queue_msg (conn->ctx, &msg) != 0) {
    /* a peer that does not read: lost, finished at the next flush */
    conn->failed = TRUE;
    mark_dirty (conn);
    return FALSE;
  }
  mark_dirty (conn);
  return TRUE;
}

void
wr_ws_conn_send_text (WrWsConn * conn, const gchar * text, gsize len)
{
  if (queue_msg (conn, WSLAY_TEXT_FRAME, text, len))
    conn->last_data = g_get_monotonic_time ();
}

void
wr_ws_conn_ping (WrWsConn * conn)
{
  /* An idle connection has no wslay context; making one (9 KB) for each
   * ping would cost every idle connection that much at every interval.
   * An empty unmasked ping is always these two bytes (RFC 6455 5.5.2). */
  static const guint8 empty_ping[2] = { 0x89, 0x00 };

  if (conn_closing (conn))
    return;
  if (!conn->ctx && conn->fd >= 0 && out_pending (conn) == 0
      && send (conn->fd, empty_ping, 2, MSG_NOSIGNAL | MSG_DONTWAIT) == 2)
    return;
  queue_msg (conn, WSLAY_PING, "", 0);
}

void
wr_ws_conn_close (WrWsConn * conn, gushort code)
{
  if (conn_closing (conn))
    return;
  conn->close_code = code;
  mark_dirty (conn);
}

void
wr_ws_conn_abort (WrWsConn * conn)
{
  if (conn->dead)
    return;
  conn_detach (conn);
}
