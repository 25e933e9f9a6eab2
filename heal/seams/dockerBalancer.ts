/**
 * BalancerControl for Docker deployments: the gateway container's HAProxy admin socket, reached through
 * `docker exec` of the image's perl (fleet/upgrade/entryAdmin.ts: the socket is never published).
 */
import { DockerEngine } from "../../dockerRun/dockerEngine";
import { ENTRY_PATHS } from "../../components/HttpsEntryPoint";
import { EntryAdmin } from "../../fleet/upgrade/entryAdmin";
import { customerNames } from "../../model/naming";
import { HaproxyBalancerControl } from "./balancerLines";

export function dockerBalancerControl(docker: DockerEngine): HaproxyBalancerControl {
  return new HaproxyBalancerControl((customer, command) => new EntryAdmin(docker, customerNames(customer).gateway, ENTRY_PATHS.adminSocket).command(command));
}
