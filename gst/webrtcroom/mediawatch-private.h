/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The media watchdog of one peer connection (a webrtcbin): when its last
 * RTP or RTCP packet came, whether our restart offer went unanswered, and
 * from both, whether the connection should be replaced. It also tunes the
 * RTP elements webrtcbin makes (RTCP interval, jitterbuffer start), as the
 * watchdog needs their RTCP. Used by peersession.c. */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 created_us;            /* when the connection was made */
  /* ms since created_us of the last RTP or RTCP packet received, -1
   * before the first one: written by nicesrc's streaming thread (atomic) */
  gint last_rx_ms;
  gint64 restart_sent_us;       /* our restart offer went out; 0: answered */
} GstWebRTCRoomMediaWatch;

void gst_webrtc_room_media_watch_init (GstWebRTCRoomMediaWatch * watch);
void gst_webrtc_room_media_watch_element_added (GstWebRTCRoomMediaWatch *
    watch, GstElement * element);
gboolean gst_webrtc_room_media_watch_restart_lost (const GstWebRTCRoomMediaWatch
    * watch, guint restarts);
const gchar *gst_webrtc_room_media_watch_check (GstWebRTCRoomMediaWatch * watch,
    guint restarts, gboolean gateway, guint timeout_ms, gint64 * silent_ms);

G_END_DECLS
