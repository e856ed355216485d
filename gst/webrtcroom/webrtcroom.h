/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/webrtcroom/webrtcroom-prelude.h>
#include <gst/webrtcroom/protocol.h>
#include <gst/webrtcroom/signaller.h>
#include <gst/webrtcroom/websocketsignaller.h>
#include <gst/webrtcroom/roombin.h>
#include <gst/webrtcroom/webrtcroom-enumtypes.h>
