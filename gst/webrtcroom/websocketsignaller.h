/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/webrtcroom/signaller.h>

G_BEGIN_DECLS

#define GST_WEBRTC_ROOM_DEFAULT_SERVER_URL "ws://127.0.0.1:8443/ws"

#define GST_TYPE_WEBRTC_ROOM_WEBSOCKET_SIGNALLER \
    (gst_webrtc_room_websocket_signaller_get_type ())
GST_WEBRTC_ROOM_API
G_DECLARE_FINAL_TYPE (GstWebRTCRoomWebSocketSignaller,
    gst_webrtc_room_websocket_signaller, GST, WEBRTC_ROOM_WEBSOCKET_SIGNALLER,
    GObject)

/**
 * gst_webrtc_room_websocket_signaller_new:
 * @server_url: (nullable): ws:// or wss:// URL of the room server's `/ws`;
 *   %NULL for %GST_WEBRTC_ROOM_DEFAULT_SERVER_URL
 *
 * Properties: `server-url`, `keepalive-interval` (seconds between
 * application pings; a missed pong window counts as a lost connection),
 * `reconnect-timeout` (how long to keep reconnecting/resuming after a lost
 * connection before a fatal error), `connect-timeout` (how long one
 * connection attempt may take until the welcome), `tls-insecure` (accept
 * any server certificate, for tests with self-signed certificates);
 * read-only `peer-id` (own id from the last welcome) and `connected`.
 *
 * Returns: (transfer full): a new signaller
 */
GST_WEBRTC_ROOM_API
GstWebRTCRoomSignaller *gst_webrtc_room_websocket_signaller_new (const gchar *
    server_url);

G_END_DECLS
