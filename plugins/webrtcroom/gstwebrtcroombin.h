/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/webrtcroom/webrtcroom.h>

G_BEGIN_DECLS

#define GST_TYPE_WEBRTC_ROOM_BIN (gst_webrtc_room_bin_get_type ())
G_DECLARE_FINAL_TYPE (GstWebRTCRoomBin, gst_webrtc_room_bin, GST, WEBRTC_ROOM_BIN, GstWebRTCRoomBaseBin)

GST_ELEMENT_REGISTER_DECLARE (webrtcroombin);

G_END_DECLS
