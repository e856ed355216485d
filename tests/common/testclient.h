/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libsoup/soup.h>
#include <gst/webrtcroom/protocol.h>
#include "testserver.h"

G_BEGIN_DECLS

/* A libsoup WebSocket client for tests. Every wait iterates the
 * thread-default main context and is bounded by its timeout. */

typedef struct _WrTestClient WrTestClient;

#define WR_TEST_TIMEOUT_MS 5000

/* @origin: nullable, sent as the Origin header */
WrTestClient *wr_test_client_connect (const gchar * url,
    const gchar * origin, GError ** error);

/* ws:// of @server; a failure fails the test */
WrTestClient *wr_test_client_connect_to (WrTestServer * server);

/* wss:// trusting only the certificates in @ca_file (PEM) */
WrTestClient *wr_test_client_connect_tls (const gchar * url,
    const gchar * origin, const gchar * ca_file, GError ** error);

void wr_test_client_send (WrTestClient * client, const gchar * text);

void wr_test_client_send_binary (WrTestClient * client, gconstpointer data,
    gsize len);

/* Next text frame (binary frames are skipped), NULL on timeout/close */
gchar *wr_test_client_next (WrTestClient * client, guint timeout_ms);

/* Next frame parsed as a server frame; NULL on timeout, close or a frame
 * the codec rejects */
GstWebRTCRoomMessage *wr_test_client_next_message (WrTestClient * client,
    guint timeout_ms);

/* Skips frames until one of @type arrives */
GstWebRTCRoomMessage *wr_test_client_wait_type (WrTestClient * client,
    GstWebRTCRoomMessageType type, guint timeout_ms);

/* TRUE when no frame arrives within @timeout_ms */
gboolean wr_test_client_expect_silence (WrTestClient * client,
    guint timeout_ms);

/* Waits for the connection to close; @code: the close code received */
gboolean wr_test_client_wait_closed (WrTestClient * client, guint timeout_ms,
    gushort * code);

gboolean wr_test_client_is_open (WrTestClient * client);

/* Clean close with @code, waits for the close to complete */
void wr_test_client_close (WrTestClient * client, gushort code);

/* Drops the TCP connection without a close frame */
void wr_test_client_abort (WrTestClient * client);

SoupWebsocketConnection *wr_test_client_get_connection (WrTestClient *
    client);

void wr_test_client_free (WrTestClient * client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrTestClient, wr_test_client_free)

/* join, then wait for the welcome: returns it, NULL on anything else */
GstWebRTCRoomMessage *wr_test_client_join (WrTestClient * client,
    const gchar * room, const gchar * name, const gchar * resume);

G_END_DECLS
