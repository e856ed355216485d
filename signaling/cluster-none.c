/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A build without hiredis: no cluster mode */

#include "cluster.h"

gboolean
wr_cluster_is_supported (void)
{
  return FALSE;
}

WrCluster *
wr_cluster_new (const WrClusterConfig * config, WrRoomHandler * handler,
    const WrClusterCallbacks * callbacks, gpointer user_data, GError ** error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
      "this server was built without Redis support (hiredis, Debian "
      "package libhiredis-dev)");
  return NULL;
}

void
wr_cluster_run (WrCluster * cluster, const WrAction * action)
{
}

void
wr_cluster_free (WrCluster * cluster)
{
}
