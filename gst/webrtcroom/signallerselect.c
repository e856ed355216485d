/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Which signaller an element uses, from the scheme of its server-url:
 * janus+ws:// and janus+wss:// go to a Janus VideoRoom, whip+http:// and
 * whip+https:// publish to a WHIP endpoint, anything else goes to our room
 * server. */

#include "signallerselect-private.h"
#include "janussignaller.h"
#include "whipsignaller.h"
#include "websocketsignaller.h"

/**
 * gst_webrtc_room_signaller_new_for_url:
 * @url: the element's server-url
 * @mode: what the element sends and receives
 *
 * Returns: (transfer full): the signaller @url calls for. Through Janus, a
 *   send-only element only publishes and a receive-only one only
 *   subscribes.
 */
GstWebRTCRoomSignaller *
gst_webrtc_room_signaller_new_for_url (const gchar * url,
    GstWebRTCRoomMediaMode mode)
{
  if (gst_webrtc_room_janus_signaller_is_janus_url (url))
    return gst_webrtc_room_janus_signaller_new (url,
        mode != GST_WEBRTC_ROOM_MEDIA_RECVONLY,
        mode != GST_WEBRTC_ROOM_MEDIA_SENDONLY);
  if (gst_webrtc_room_whip_signaller_is_whip_url (url)) {
    GstWebRTCRoomSignaller *whip = gst_webrtc_room_whip_signaller_new (url);

    g_object_set (whip, "receive-only",
        mode == GST_WEBRTC_ROOM_MEDIA_RECVONLY, "send-only",
        mode == GST_WEBRTC_ROOM_MEDIA_SENDONLY, NULL);
    return whip;
  }
  return gst_webrtc_room_websocket_signaller_new (url);
}

/* the schemes gst_webrtc_room_signaller_new_for_url() takes */
static const gchar *const url_schemes[] = {
  "ws", "wss", "janus+ws", "janus+wss", "whip+http", "whip+https",
  "whep+http", "whep+https", NULL
};

/**
 * gst_webrtc_room_signaller_check_url:
 * @url: (nullable): the element's server-url
 * @error: where to say what is wrong
 *
 * Returns: %TRUE when @url is absolute, has a host and one of the schemes
 *   a signaller exists for
 */
gboolean
gst_webrtc_room_signaller_check_url (const gchar * url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *host;

  if (!url || !*url) {
    g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_FAILED, "no URL");
    return FALSE;
  }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (!uri)
    return FALSE;
  if (!g_strv_contains (url_schemes, g_uri_get_scheme (uri))) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
        "scheme '%s' is none of ws, wss, janus+ws, janus+wss, whip+http, "
        "whip+https, whep+http, whep+https", g_uri_get_scheme (uri));
    return FALSE;
  }
  host = g_uri_get_host (uri);
  if (!host || !*host) {
    g_set_error_literal (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST, "no host");
    return FALSE;
  }
  return TRUE;
}
