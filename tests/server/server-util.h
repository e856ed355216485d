/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Helpers of the room server tests (test-server.c, test-server-limits.c):
 * the real server process and real clients, libsoup WebSocket clients or
 * raw TCP ones for what a well-behaved client never does. */

#pragma once

#include "testserver.h"
#include "testclient.h"

#define T WR_TEST_TIMEOUT_MS
/* how long we listen to make sure something does NOT happen */
#define QUIET_MS 300

GstWebRTCRoomMessage *join (WrTestClient * client, const gchar * room,
    const gchar * name);

/* Joins and returns the own peer id */
gchar *join_id (WrTestClient * client, const gchar * room);

GstWebRTCRoomMessage *expect (WrTestClient * client,
    GstWebRTCRoomMessageType type);

void expect_error (WrTestClient * client, GstWebRTCRoomError code,
    const gchar * ref);

void expect_closed (WrTestClient * client, gushort code);

/* The connection still answers: a ping with a fresh id is echoed */
void assert_alive (WrTestClient * client);

/* Pings until a pong comes back (bounded): for a rate-limited client */
void assert_alive_eventually (WrTestClient * client);

void send_signal (WrTestClient * client, const gchar * to, const gchar * json);

void assert_peer_left (WrTestClient * client, const gchar * id,
    GstWebRTCRoomPeerLeftReason reason);

guint http_get (WrTestServer * server, const gchar * path, gchar ** body,
    gchar ** content_type);

/* A peer whose WebSocket never answers pings: a raw TCP client that does
 * the handshake by hand, joins with one masked frame, then reads nothing.
 * With --ping-interval=1 it is lost after 3 missed pings, then after the
 * resume grace the others see peer-left "timeout"; a libsoup client, which
 * answers pings, stays. */
GSocketConnection *silent_peer_join (WrTestServer * server, const gchar * room);

/* A plain TCP connection to the server, from @local_ip when not NULL */
GSocketConnection *raw_connect (WrTestServer * server, const gchar * local_ip);

void raw_write (GSocketConnection * conn, const gchar * text);

/* Reads until the peer closes (or 5 s of silence); what came */
gchar *raw_read_to_end (GSocketConnection * conn);

/* An upgraded WebSocket that never joins */
GSocketConnection *raw_upgrade (WrTestServer * server);

guint64 metric (WrTestServer * server, const gchar * name);

/* A gauge that goes down when the server has seen connections end: polled
 * (bounded, 10 s) while above @value, then returned. The server learns
 * of an end on an I/O thread and counts it on its main thread. */
guint64 metric_down_to (WrTestServer * server, const gchar * name,
    guint64 value);

void relay_works (WrTestServer * server, const gchar * room);

gint64 server_rss_kb (WrTestServer * server);

/* CPU seconds the server has used */
gdouble server_cpu_s (WrTestServer * server);

/* A masked client frame, written whole */
void raw_write_frame (GSocketConnection * conn, guint8 opcode,
    const guint8 * data, gsize len);
