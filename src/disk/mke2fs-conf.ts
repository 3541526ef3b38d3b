// Our own mke2fs.conf, so the ext4 features do not depend on the host's e2fsprogs defaults
// (1.47 enables orphan_file and metadata_csum_seed, which GRUB 2.06 cannot read).
export const MKE2FS_CONF = `[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384
	reserved_ratio = 5.0

[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
	default = {
		blocksize = 4096
	}
`;
