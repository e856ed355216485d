/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS
/* Upgraded WebSocket connections, driven from one epoll fd (one GSource
 * for all plain connections, so a wake-up costs what is ready, not what
 * is open) with RFC 6455 framing from wslay. TLS connections keep their
 * GIOStream (one pollable source each). No permessage-deflate.
 *
 * A connection's wslay context (about 9 KB) exists only while it has
 * traffic: it is dropped when the connection is idle at a message
 * boundary with nothing queued, and made again on the next byte. */
typedef struct _WrWsLoop WrWsLoop;
typedef struct _WrWsConn WrWsConn;

typedef struct
{
  /* a complete message; @text: FALSE for a binary message */
  void (*message) (WrWsConn * conn, gboolean text, const gchar * data,
      gsize len, gpointer user_data);
  /* a message above the size limit started: it is discarded, and no
   * further message is delivered on @conn */
  void (*too_large) (WrWsConn * conn, gpointer user_data);
  /* @conn is gone (freed after this returns); @code: the close code the
   * peer sent, 0 when the connection ended without a close frame */
  void (*closed) (WrWsConn * conn, gushort code, gpointer user_data);
  /* optional: @conn is dropped by wr_ws_loop_free (no closed callback
   * came for it, and it was not aborted), so that its data can be
   * released */
  void (*dropped) (WrWsConn * conn, gpointer user_data);
} WrWsCallbacks;

WrWsLoop *wr_ws_loop_new (const WrWsCallbacks * callbacks,
    gpointer user_data, gsize max_message_size, GError ** error);

/* Drops every connection without callbacks other than dropped */
void wr_ws_loop_free (WrWsLoop * loop);

/* Takes @fd (a connected, upgraded TCP socket) */
WrWsConn *wr_ws_loop_add_fd (WrWsLoop * loop, gint fd, gpointer conn_data);

/* Keeps a reference to @stream (e.g. a GTlsConnection) */
WrWsConn *wr_ws_loop_add_stream (WrWsLoop * loop, GIOStream * stream,
    gpointer conn_data);

/* Writes what was queued and delivers closed callbacks; done after every
 * batch of events, call it after sending from elsewhere (timers). Does
 * nothing inside a batch. */
void wr_ws_loop_flush (WrWsLoop * loop);

/* A batch: connections stay allocated and no callback runs until the
 * outermost end, which flushes (for loops over connections) */
void wr_ws_loop_begin (WrWsLoop * loop);

void wr_ws_loop_end (WrWsLoop * loop);

/* While paused, nothing is read nor written on the plain connections (the
 * kernel's buffers fill and push back on the peers); calls from
 * elsewhere still queue */
void wr_ws_loop_pause (WrWsLoop * loop, gboolean paused);

/* Aborts connections whose closing handshake took longer than @max_us */
void wr_ws_loop_expire_closing (WrWsLoop * loop, gint64 max_us);

/* Returns freed memory to the system after many contexts were dropped */
void wr_ws_loop_trim (WrWsLoop * loop);

guint wr_ws_loop_get_n_connections (WrWsLoop * loop);

/* Connections holding a wslay context right now */
guint wr_ws_loop_get_n_active (WrWsLoop * loop);

gpointer wr_ws_conn_get_data (WrWsConn * conn);

/* Monotonic time of the last frame received (any frame, pongs too) */
gint64 wr_ws_conn_get_last_seen (WrWsConn * conn);

/* TRUE until a close was asked for or the connection failed */
gboolean wr_ws_conn_is_open (WrWsConn * conn);

void wr_ws_conn_send_text (WrWsConn * conn, const gchar * text, gsize len);

/* Sends an empty ping (without making a wslay context when idle) */
void wr_ws_conn_ping (WrWsConn * conn);

/* Close frame with @code after the data already queued */
void wr_ws_conn_close (WrWsConn * conn, gushort code);

/* Drops the connection without a close frame; no callback */
void wr_ws_conn_abort (WrWsConn * conn);

G_END_DECLS
