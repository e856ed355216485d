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
 * GST_WEBRTC_ROOM_WHIP_PEER:
 *
 * The id of the virtual peer that stands for the WHIP endpoint: the
 * element offers to it, the endpoint answers.
 */
#define GST_WEBRTC_ROOM_WHIP_PEER "whip"
#define GST_TYPE_WEBRTC_ROOM_WHIP_SIGNALLER \
    (gst_webrtc_room_whip_signaller_get_type ())
    GST_WEBRTC_ROOM_API
G_DECLARE_FINAL_TYPE (GstWebRTCRoomWhipSignaller,
    gst_webrtc_room_whip_signaller, GST, WEBRTC_ROOM_WHIP_SIGNALLER, GObject)
/**
 * gst_webrtc_room_whip_signaller_new:
 * @whip_url: the WHIP endpoint (`whip+http://host/path`,
 *   `whip+https://...`, or plain `http://`/`https://`)
 *
 * Properties: `server-url`, `timeout` (ms for each HTTP request).
 *
 * Returns: (transfer full): a signaller that publishes to a WHIP endpoint
 *   (RFC 9725): one virtual peer `whip` receives our offer
 */
     GST_WEBRTC_ROOM_API GstWebRTCRoomSignaller
         * gst_webrtc_room_whip_signaller_new (const gchar * whip_url);

/**
 * gst_webrtc_room_whip_signaller_is_whip_url:
 * @url: (nullable): a server URL
 *
 * Returns: %TRUE when @url names a WHIP endpoint (scheme `whip+http`,
 *   `whip+https`)
 */
GST_WEBRTC_ROOM_API
    gboolean gst_webrtc_room_whip_signaller_is_whip_url (const gchar * url);

G_END_DECLS
