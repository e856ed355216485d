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
 * background thread when the first room element is created pays that cost
 * before any peer is there, once per process.
 *
 * Passing our own (e.g. ECDSA P-256) certificate to the DTLS transports
 * would not avoid it with GStreamer 1.22: dtlsdec's instance init always
 * takes the process-wide default agent (get_agent_by_pem (NULL)), whose
 * g_once creates the generated RSA certificate, before any "pem" can be
 * set; the first dtlsdec of the process pays the key generation whatever
 * certificate the transport uses afterwards (ext/dtls/gstdtlsdec.c;
 * measured: the first g_object_new of a dtlsdec takes 170-290 ms here,
 * the second 0.1 ms).
 *
 * The state below is process-wide on purpose, like the certificate it
 * warms: one generation per process. */

#include "roombin-private.h"

static GMutex warm_lock;
static GThread *warm_thread;
static GThread *preload_thread;
static gboolean warm_started;

/* One element of each plugin a peer connection loads on its first
 * create-offer or set-remote-description. Loading them there put their
 * initialisation on the critical path of the first call: libgstsrtp alone
 * (libsrtp's srtp_init) took 30-80 ms, libgstwebrtc 10-20 ms, on two busy
 * cores (tests/bench/README.md, time to first frame). */
static const gchar *const preloaded[] = {
  "webrtcbin", "rtpbin", "srtpenc", "nicesrc", "sctpenc", "rtpulpfecenc",
  "appsrc", "queue",
};

void gst_webrtc_room_certificate_warm_up (void);
void gst_webrtc_room_certificate_wait (void);

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

/* Its own thread: the key generation stays the first thing to run. */
static gpointer
preload_plugins (gpointer data)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (preloaded); i++) {
    GstElementFactory *factory = gst_element_factory_find (preloaded[i]);
    GstPluginFeature *loaded;

    if (!factory)
      continue;
    loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));
    if (loaded)
      gst_object_unref (loaded);
    gst_object_unref (factory);
  }
  GST_DEBUG ("peer connection plugins loaded");
  return NULL;
}

void
gst_webrtc_room_certificate_warm_up (void)
{
  g_mutex_lock (&warm_lock);
  if (!warm_started) {
    warm_started = TRUE;
    warm_thread = g_thread_new ("dtls-cert", generate_certificate, NULL);
    preload_thread = g_thread_new ("plugin-preload", preload_plugins, NULL);
  }
  g_mutex_unlock (&warm_lock);
}

/* Called when a room element is disposed: a process that quits right away
 * (server unreachable, bad settings) must not exit while OpenSSL is busy
 * in the generation thread. */
void
gst_webrtc_room_certificate_wait (void)
{
  GThread *thread, *preload;

  g_mutex_lock (&warm_lock);
  thread = g_steal_pointer (&warm_thread);
  preload = g_steal_pointer (&preload_thread);
  g_mutex_unlock (&warm_lock);
  if (thread)
    g_thread_join (thread);
  if (preload)
    g_thread_join (preload);
}
