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
#include <gst/webrtcroom/roombin.h>

G_BEGIN_DECLS

GstWebRTCRoomSignaller *gst_webrtc_room_signaller_new_for_url (const gchar * url,
    GstWebRTCRoomMediaMode mode);

gboolean gst_webrtc_room_signaller_check_url (const gchar * url,
    GError ** error);

G_END_DECLS
