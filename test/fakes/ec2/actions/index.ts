// Every EC2 action the local EC2 answers, by its Query API name.
import type { Action } from './context.js';
import { copyImage, createImage, deregisterImage, describeImageAttribute, describeImages, modifyImageAttribute, registerImage } from './images.js';
import { describeInstances, describeInstanceStatus, describeInstanceTypes, getConsoleOutput, modifyInstanceAttribute, runInstances, startInstances, stopInstances, terminateInstances } from './instances.js';
import { cancelImportTask, describeImportImageTasks, describeImportSnapshotTasks, importImage, importSnapshot } from './imports.js';
import { createKeyPair, deleteKeyPair, describeKeyPairs, importKeyPair } from './keypairs.js';
import {
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  describeAvailabilityZones,
  describeRegions,
  describeSecurityGroups,
  describeSubnets,
  describeVpcs,
  revokeSecurityGroupIngress,
} from './network.js';
import { deleteSnapshot, describeSnapshots, modifySnapshotAttribute } from './snapshots.js';
import { createTags, deleteTags, describeTags, describeVolumes } from './tags.js';

export const EC2_ACTIONS: Record<string, Action> = {
  DescribeImages: describeImages,
  CreateImage: createImage,
  RegisterImage: registerImage,
  CopyImage: copyImage,
  DeregisterImage: deregisterImage,
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  StopInstances: stopInstances,
  StartInstances: startInstances,
  TerminateInstances: terminateInstances,
  GetConsoleOutput: getConsoleOutput,
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceTypes: describeInstanceTypes,
  CreateKeyPair: createKeyPair,
  ImportKeyPair: importKeyPair,
  DeleteKeyPair: deleteKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  CreateSecurityGroup: createSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  DeleteSecurityGroup: deleteSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  ModifySnapshotAttribute: modifySnapshotAttribute,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
  DescribeVolumes: describeVolumes,
  ImportImage: importImage,
  ImportSnapshot: importSnapshot,
  DescribeImportImageTasks: describeImportImageTasks,
  DescribeImportSnapshotTasks: describeImportSnapshotTasks,
  CancelImportTask: cancelImportTask,
};
