/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* webrtcbin's DTLS elements share one process-wide certificate, generated
 * lazily inside the first create-offer/set-remote-description: an RSA key
 * costing 70-1500 ms here (TRAPS.md). Asking a dtlsdec for its PEM in a
 * background thread when the first room element starts pays that cost
 * before any peer is there, once per process. */

#include "roombin-private.h"

static gpointer
generate_certificate (gpointer data)
{
  GstElement *dec = gst_element_factory_make ("dtlsdec", NULL);
  gchar *pem = NULL;

  if (!dec)
    return NULL;
  gst_object_ref_sink (dec);
  g_object_get (dec, "pem", &pem, NULL);
  GST_DEBUG ("DTLS certificate ready (%s)", pem ? "ok" : "none");
  g_free (pem);
  gst_object_unref (dec);
  return NULL;
}

void gst_webrtc_room_certificate_warm_up (void);

void
gst_webrtc_room_certificate_warm_up (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started)) {
    GThread *thread = g_thread_new ("dtls-cert", generate_certificate, NULL);
    g_thread_unref (thread);
    g_once_init_leave (&started, 1);
  }
}
