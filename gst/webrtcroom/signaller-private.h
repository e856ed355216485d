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

G_BEGIN_DECLS

typedef void (*GstWebRTCRoomContextFunc) (gpointer self, gpointer data);

/* For signaller implementations: runs @func (@self, @data) with @context
 * owned by the calling thread (directly, or from the thread dispatching
 * @context, waiting for it). No callback attached to @context runs
 * concurrently with @func. */
void gst_webrtc_room_signaller_run_in_context (gpointer self,
    GMainContext * context, GstWebRTCRoomContextFunc func, gpointer data);

G_END_DECLS
