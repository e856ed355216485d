/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The media watchdog of one peer connection (mediawatch-private.h) */

#include "mediawatch-private.h"

/* RTCP every ~100 ms instead of webrtcbin's 5 s minimum (TRAPS.md) */
#define RTCP_MIN_INTERVAL (100 * GST_MSECOND)
/* A replacement connection with no media after this many media-timeouts
 * is replaced again. */
#define RESTART_RETRY_FACTOR 2
/* A WHIP/WHEP session of the room server with no media after this many
 * media-timeouts from its start never connected (its client went away
 * after the 201, maybe before sending a candidate) */
#define GATEWAY_FIRST_MEDIA_FACTOR 10
/* A restart offer with no answer after this long is presumed lost (the
 * signalling path was down too, e.g. the address changed): it is made
 * again, and it no longer wins a glare. */
#define RESTART_ANSWER_TIMEOUT_MS 1000
/* Consecutive packets after which a jitterbuffer starts pushing instead of
 * holding its first packet for the whole latency */
#define JITTERBUFFER_FASTSTART_PACKETS 2

void
gst_webrtc_room_media_watch_init (GstWebRTCRoomMediaWatch * watch)
{
  watch->created_us = g_get_monotonic_time ();
  watch->last_rx_ms = -1;
  watch->restart_sent_us = 0;
}

/* RTP and RTCP packets start with version 2 (first byte 128-191); DTLS
 * records (20-63), hence SCTP, do not count as media (RFC 7983). */
static gboolean
is_rtp_or_rtcp (GstBuffer * buffer)
{
  guint8 first = 0;

  return gst_buffer_extract (buffer, 0, &first, 1) == 1
      && first >= 128 && first <= 191;
}

static gboolean
list_has_media (GstBuffer ** buffer, guint idx, gpointer user_data)
{
  gboolean *found = user_data;

  *found = is_rtp_or_rtcp (*buffer);
  return !*found;
}

/* nicesrc's streaming thread: the watch outlives it (its session is freed
 * only after its webrtcbin went to NULL). */
static GstPadProbeReturn
note_received_packet (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstWebRTCRoomMediaWatch *watch = user_data;
  gboolean media = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    media = is_rtp_or_rtcp (GST_PAD_PROBE_INFO_BUFFER (info));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info),
        list_has_media, &media);
  if (media)
    g_atomic_int_set (&watch->last_rx_ms,
        (gint) ((g_get_monotonic_time () - watch->created_us) / 1000));
  return GST_PAD_PROBE_OK;
}

/* An element webrtcbin made (deep-element-added) */
void
gst_webrtc_room_media_watch_element_added (GstWebRTCRoomMediaWatch * watch,
    GstElement * element)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const gchar *name = factory ? GST_OBJECT_NAME (factory) : "";

  if (g_str_equal (name, "rtpsession")) {
    /* webrtcbin leaves RTCP at the 5 s minimum interval, which bunches
     * NACKs and PLIs and leaves the watchdog without RTCP (TRAPS.md) */
    g_object_set (element, "rtcp-min-interval", RTCP_MIN_INTERVAL, NULL);
  } else if (g_str_equal (name, "rtpjitterbuffer")) {
    /* Video arrives in bursts, one frame every 33 ms: guessing when the
     * next packet is due asks the sender for packets it has not sent yet,
     * hundreds per minute on a lossless link, and holds frames back until
     * the latency expires. Only real gaps are NACKed. */
    g_object_set (element, "rtx-next-seqnum", FALSE, NULL);
    /* It holds its first packet for the whole latency, in case an earlier
     * one still comes; with a few in sequence there is nothing to wait
     * for. Only the start changes: the latency (room for NACK/RTX) stays,
     * and a sink that syncs still renders at the same time. */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (element),
            "faststart-min-packets"))
      g_object_set (element, "faststart-min-packets",
          JITTERBUFFER_FASTSTART_PACKETS, NULL);
  } else if (g_str_equal (name, "nicesrc")) {
    GstPad *pad = gst_element_get_static_pad (element, "src");

    if (pad) {
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
          GST_PAD_PROBE_TYPE_BUFFER_LIST, note_received_packet, watch, NULL);
      gst_object_unref (pad);
    }
  }
}

/* 1, 2, 4, 8 then 16 times a base delay: a peer that keeps failing (gone
 * but not yet timed out by the server, a path still down) is not offered
 * a new webrtcbin every second */
static gint64
restart_backoff (guint restarts, gint64 base_ms)
{
  return base_ms << MIN (restarts > 0 ? restarts - 1 : 0, 4);
}

/* Our restart offer (the @restarts-th) got no answer in time */
gboolean
gst_webrtc_room_media_watch_restart_lost (const GstWebRTCRoomMediaWatch *
    watch, guint restarts)
{
  return watch->restart_sent_us && (g_get_monotonic_time () -
      watch->restart_sent_us) / 1000 > restart_backoff (restarts,
      RESTART_ANSWER_TIMEOUT_MS);
}

/* Returns why the connection (replaced @restarts times; to a WHIP/WHEP
 * client of the room server when @gateway) should be replaced, or NULL
 * while it is fine; @silent_ms: how long it has been without media. */
const gchar *
gst_webrtc_room_media_watch_check (GstWebRTCRoomMediaWatch * watch,
    guint restarts, gboolean gateway, guint timeout_ms, gint64 * silent_ms)
{
  gint64 now_ms = (g_get_monotonic_time () - watch->created_us) / 1000;
  gint last = g_atomic_int_get (&watch->last_rx_ms);

  *silent_ms = 0;
  if (gst_webrtc_room_media_watch_restart_lost (watch, restarts)) {
    *silent_ms = now_ms;
    return "restart-offer-unanswered";
  }
  if (last >= 0) {
    *silent_ms = now_ms - last;
    return *silent_ms > timeout_ms ? "media-timeout" : NULL;
  }
  /* A replacement that gets no media either (the path was still cut, our
   * offer was lost with the signalling connection): try again. A first
   * connection is left to ICE, which reports a failure itself. */
  if (restarts > 0 && now_ms > restart_backoff (restarts,
          RESTART_RETRY_FACTOR * (gint64) timeout_ms)) {
    *silent_ms = now_ms;
    return "no-media-after-reconnect";
  }
  /* WHIP and WHEP cannot renegotiate: the room server ends such a
   * session once we offer again, as it does for one whose media stopped */
  if (restarts == 0 && gateway
      && now_ms > GATEWAY_FIRST_MEDIA_FACTOR * (gint64) timeout_ms) {
    *silent_ms = now_ms;
    return "gateway-never-connected";
  }
  return NULL;
}
