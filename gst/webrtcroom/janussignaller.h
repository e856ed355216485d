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
/**
 * GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER:
 *
 * The id of the virtual peer that stands for our own publisher handle in
 * a Janus VideoRoom: the element offers to it, Janus answers.
 */
#define GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER "janus"
/**
 * GST_WEBRTC_ROOM_JANUS_FEED_PREFIX:
 *
 * Remote publishers of a Janus VideoRoom appear as peers with this prefix
 * followed by their Janus feed id (e.g. `feed-4242`); they offer.
 */
#define GST_WEBRTC_ROOM_JANUS_FEED_PREFIX "feed-"
#define GST_TYPE_WEBRTC_ROOM_JANUS_SIGNALLER \
    (gst_webrtc_room_janus_signaller_get_type ())
    GST_WEBRTC_ROOM_API
G_DECLARE_FINAL_TYPE (GstWebRTCRoomJanusSignaller,
    gst_webrtc_room_janus_signaller, GST, WEBRTC_ROOM_JANUS_SIGNALLER, GObject)
/**
 * gst_webrtc_room_janus_signaller_new:
 * @janus_url: WebSocket URL of Janus (`janus+ws://host:8188/`,
 *   `janus+wss://...`, or plain `ws://`/`wss://`)
 * @publish: publish our tracks into the room (a virtual peer `janus`
 *   receives our offer)
 * @subscribe: subscribe to every publisher of the room (each one a
 *   virtual peer `feed-<id>` that offers)
 *
 * Properties: `server-url`, `publish`, `subscribe`, `keepalive-interval`
 * (seconds between Janus keepalives; Janus drops a session silent for 60 s
 * by default), `connect-timeout` (ms until the room is joined).
 *
 * Returns: (transfer full): a signaller that maps a Janus VideoRoom onto
 *   room protocol events
 */
     GST_WEBRTC_ROOM_API GstWebRTCRoomSignaller
         * gst_webrtc_room_janus_signaller_new (const gchar * janus_url,
    gboolean publish, gboolean subscribe);

/**
 * gst_webrtc_room_janus_signaller_is_janus_url:
 * @url: (nullable): a server URL
 *
 * Returns: %TRUE when @url names Janus (scheme `janus+ws`, `janus+wss`)
 */
GST_WEBRTC_ROOM_API
    gboolean gst_webrtc_room_janus_signaller_is_janus_url (const gchar * url);

G_END_DECLS
