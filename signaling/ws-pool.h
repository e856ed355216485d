/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "ws-loop.h"

G_BEGIN_DECLS
/* The server's WebSocket connections spread over I/O threads. Each I/O
 * thread runs its own WrWsLoop (epoll, wslay framing, the socket
 * writes and reads: most of a relayed message's cost) on a share of the
 * plain connections; the room logic stays on the thread that made the
 * pool (its thread-default main context), which gets every callback.
 * Complete messages come to it and frames to send go out through two
 * locked queues, each woken by an eventfd once per batch.
 *
 * What waits between the threads is bounded (4 MiB each way, or
 * $WEBRTC_ROOM_SERVER_QUEUE_BYTES, for tests): past it the reading side
 * pauses, and the sockets push back on the peers.
 *
 * With no I/O thread, and for TLS connections (they keep their
 * GIOStream, see ws-loop.h), the loop runs on the calling thread and
 * the callbacks come from within the calls. */
typedef struct _WrWsPool WrWsPool;
typedef struct _WrWsHandle WrWsHandle;

typedef struct
{
  /* a complete message; @text: FALSE for a binary message */
  void (*message) (WrWsHandle * handle, gboolean text, const gchar * data,
      gsize len, gpointer user_data);
  /* a message above the size limit started (see ws-loop.h) */
  void (*too_large) (WrWsHandle * handle, gpointer user_data);
  /* wr_ws_handle_ping found nothing received since its limit */
  void (*silent) (WrWsHandle * handle, gpointer user_data);
  /* @handle is gone (invalid after this returns); @code: the close code
   * the peer sent, 0 when the connection ended without a close frame */
  void (*closed) (WrWsHandle * handle, gushort code, gpointer user_data);
} WrWsPoolCallbacks;

/* @n_threads: I/O threads for plain connections, 0: none (all on the
 * calling thread); @closing_timeout_us: a closing handshake that takes
 * longer is aborted */
WrWsPool *wr_ws_pool_new (const WrWsPoolCallbacks * callbacks,
    gpointer user_data, gsize max_message_size, guint n_threads,
    gint64 closing_timeout_us, GError ** error);

/* Stops the threads and drops every connection without callbacks */
void wr_ws_pool_free (WrWsPool * pool);

guint wr_ws_pool_get_n_threads (WrWsPool * pool);

/* Takes @fd (a connected, upgraded TCP socket) */
WrWsHandle *wr_ws_pool_add_fd (WrWsPool * pool, gint fd, gpointer data);

/* Keeps a reference to @stream (e.g. a GTlsConnection) */
WrWsHandle *wr_ws_pool_add_stream (WrWsPool * pool, GIOStream * stream,
    gpointer data);

/* A batch: sends are held until the outermost end (or flush outside any
 * batch), then written or handed to the I/O threads at once */
void wr_ws_pool_begin (WrWsPool * pool);

void wr_ws_pool_end (WrWsPool * pool);

void wr_ws_pool_flush (WrWsPool * pool);

/* Connections added and not yet closed or aborted */
guint wr_ws_pool_get_n_connections (WrWsPool * pool);

gpointer wr_ws_handle_get_data (WrWsHandle * handle);

/* TRUE until a close or abort was asked for or the connection ended */
gboolean wr_ws_handle_is_open (WrWsHandle * handle);

/* A text message; @frame is a GRefString (shared with the I/O thread,
 * not copied) */
void wr_ws_handle_send_frame (WrWsHandle * handle, const gchar * frame);

/* Pings, unless nothing came on the connection since @silent_since
 * (monotonic time): then the silent callback */
void wr_ws_handle_ping (WrWsHandle * handle, gint64 silent_since);

/* Close frame with @code after the data already queued */
void wr_ws_handle_close (WrWsHandle * handle, gushort code);

/* Drops the connection without a close frame; no further callback, and
 * @handle is invalid after this returns */
void wr_ws_handle_abort (WrWsHandle * handle);

G_END_DECLS
