/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <glib.h>

#ifdef BUILDING_GST_WEBRTC_ROOM
#define GST_WEBRTC_ROOM_API __attribute__ ((visibility ("default"))) extern
#else
#define GST_WEBRTC_ROOM_API extern
#endif
