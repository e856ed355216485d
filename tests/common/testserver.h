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

/* Runs $WEBRTC_ROOM_SERVER --host 127.0.0.1 --port 0 --stun-port 0
 * <extra_args> and waits (at most 10 s) for its "listening" line. Extra
 * arguments come last, so they may override --port/--stun-port. */

typedef struct _WrTestServer WrTestServer;

WrTestServer *wr_test_server_start (const gchar * const *extra_args,
    GError ** error);

/* wr_test_server_start() with the extra arguments listed (a NULL ends
 * the list: (NULL) is none); a server that does not start fails the test */
WrTestServer *wr_test_server_spawn (const gchar * first_arg, ...);

guint wr_test_server_get_port (WrTestServer * server);

/* 0 when the STUN responder is off */
guint wr_test_server_get_stun_port (WrTestServer * server);

gchar *wr_test_server_get_ws_url (WrTestServer * server);

gchar *wr_test_server_get_http_url (WrTestServer * server, const gchar * path);

GPid wr_test_server_get_pid (WrTestServer * server);

/* SIGTERM, bounded wait (5 s), then SIGKILL; frees */
void wr_test_server_stop (WrTestServer * server);

/* Like stop, returns the exit status (-1 when it had to be killed) */
gint wr_test_server_terminate (WrTestServer * server);

/* SIGKILL, reap, free */
void wr_test_server_kill (WrTestServer * server);

/* Picks a free UDP port on 127.0.0.1 (bound then released) */
guint wr_test_pick_udp_port (void);

/* Iterates the thread-default main context until @done returns TRUE or
 * @timeout_ms pass. Returns the last value of @done. */
gboolean wr_test_wait_until (gboolean (*done) (gpointer), gpointer data,
    guint timeout_ms);

G_END_DECLS
