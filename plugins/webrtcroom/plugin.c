/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstwebrtcroombin.h"
#include "gstwebrtcroomsink.h"
#include "gstwebrtcroomsrc.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  ret |= GST_ELEMENT_REGISTER (webrtcroombin, plugin);
  ret |= GST_ELEMENT_REGISTER (webrtcroomsink, plugin);
  ret |= GST_ELEMENT_REGISTER (webrtcroomsrc, plugin);
  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, webrtcroom,
    "WebRTC rooms: room signalling + webrtcbin as pipeline elements",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
