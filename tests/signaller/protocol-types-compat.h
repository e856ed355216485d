/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Forced in front of signaller.c for the signaller tests: protocol.h
 * declares the boxed get_type functions but (so far) no GST_TYPE_* macros
 * for them, which signaller.c uses. Harmless once protocol.h has them. */

#pragma once

#include <gst/webrtcroom/protocol.h>

#ifndef GST_TYPE_WEBRTC_ROOM_MESSAGE
#define GST_TYPE_WEBRTC_ROOM_MESSAGE (gst_webrtc_room_message_get_type ())
#endif
#ifndef GST_TYPE_WEBRTC_ROOM_PEER_INFO
#define GST_TYPE_WEBRTC_ROOM_PEER_INFO (gst_webrtc_room_peer_info_get_type ())
#endif
